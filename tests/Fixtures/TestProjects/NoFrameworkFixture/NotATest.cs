namespace NoFrameworkFixture;

/// <summary>Code without any test framework.</summary>
public static class NotATest
{
    public static int Answer() => 42;
}
