// A .NET process that starts, loads what a test process would (reflection, JSON), then waits for one line.
using System.Text.Json;

var loaded = JsonSerializer.Serialize(new { types = typeof(Console).Assembly.GetTypes().Length });
var line = Console.ReadLine();
Console.WriteLine($"got {line} {loaded}");
