// The end-to-end test runs `dotnet build` many times in sequence; the rest are quick: a few workers suffice.
[assembly: Parallelize(Workers = 4, Scope = ExecutionScope.MethodLevel)]
