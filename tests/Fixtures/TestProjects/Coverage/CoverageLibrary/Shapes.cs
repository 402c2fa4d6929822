namespace CoverageLibrary;

/// <summary>A little code with branches: which lines a suite covers depends on which tests ran.</summary>
public static class Shapes
{
    public static string Classify(int sides)
    {
        if (sides < 3)
        {
            return "not a polygon";
        }

        if (sides == 3)
        {
            return "triangle";
        }

        if (sides == 4)
        {
            return "quadrilateral";
        }

        return "polygon";
    }

    public static int Perimeter(int sides, int length)
    {
        var total = 0;
        for (var i = 0; i < sides; i++)
        {
            total += length;
        }

        return total;
    }

    public static double Area(double width, double height)
    {
        if (width < 0 || height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "sizes are not negative");
        }

        return width * height;
    }

    public static string NeverCalled(string text)
    {
        var trimmed = text.Trim();
        return trimmed.ToUpperInvariant();
    }
}
