Console.WriteLine(CoverageLibrary.Processes.OnlyInAChild(args.Length));
