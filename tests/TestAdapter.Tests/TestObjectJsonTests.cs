namespace ContainerTest.TestAdapter.Tests;

using System.Text.Json;
using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Pure logic: a test object's properties cross the process boundary with their values and types
/// intact, written as System.Text.Json's default converters write them (the agent writes the common
/// types without the reflection-based serializer, which is slow to start in every agent).
/// </summary>
[TestClass]
public sealed class TestObjectJsonTests
{
    private enum Stage
    {
        Arrange = 1,
        Act = 2,
    }

    public static IEnumerable<object[]> Values =>
    [
        ["text with \"quotes\", é and \n"],
        [true],
        [42],
        [-9_000_000_000L],
        [2.5],
        [Guid.Parse("1d2501ac-e1d0-883d-97d3-baf43ec5d47c")],
        [new Uri("executor://MSTestAdapter/v4")],
        [new Uri("relative/path", UriKind.Relative)],
        [new DateTimeOffset(2026, 11, 30, 4, 0, 22, 483, TimeSpan.FromHours(2))],
        [new DateTime(2026, 11, 30, 4, 0, 22, DateTimeKind.Utc)],
        [TimeSpan.FromTicks(55_634)],
        [new TimeSpan(1, 2, 3, 4, 5)],
        [TestOutcome.Failed],
        [Stage.Act],
        [new[] { "fast", "db" }],
        [new[] { new KeyValuePair<string, string>("Owner", "ops") }],
    ];

    [TestMethod]
    [DynamicData(nameof(Values))]
    public void A_value_is_written_as_the_serializer_writes_it_and_read_back_equal(object value)
    {
        var property = TestProperty.Register($"ContainerTest.Tests.{value.GetType().Name}{Guid.NewGuid():N}", "P", value.GetType(), typeof(TestObject));
        var sent = new TestCase("N.C.M", new Uri("executor://x/v1"), "x.dll");
        sent.SetPropertyValue(property, value);

        var written = TestObjectJson.WriteProperties(sent);
        var entry = written.OfType<JsonObject>().Single(e => e["id"]!.GetValue<string>() == property.Id);
        Assert.AreEqual(JsonSerializer.Serialize(value, value.GetType()), entry["value"]!.ToJsonString(), "the wire shape is the serializer's");

        var received = new TestCase();
        TestObjectJson.ReadProperties((JsonArray)JsonNode.Parse(written.ToJsonString())!, received);
        var back = received.GetPropertyValue(property);
        Assert.IsNotNull(back);
        Assert.AreEqual(value.GetType(), back.GetType());
        Assert.AreEqual(JsonSerializer.Serialize(value, value.GetType()), JsonSerializer.Serialize(back, back.GetType()), "the value read back is the value sent");
    }

    [TestMethod]
    public void A_value_of_the_wrong_shape_is_kept_as_its_json_text()
    {
        var property = TestProperty.Register($"ContainerTest.Tests.Number{Guid.NewGuid():N}", "P", typeof(int), typeof(TestObject));
        var received = new TestCase();
        var entry = new JsonObject { ["id"] = property.Id, ["valueType"] = typeof(int).AssemblyQualifiedName, ["value"] = "not a number" };

        TestObjectJson.ReadProperties([entry], received);

        Assert.AreEqual("\"not a number\"", received.GetPropertyValue(property));
    }
}
