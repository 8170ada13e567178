namespace CarePlanMesh.Contracts;

/// <summary>
/// Marks an event: published to its own fan-out exchange, for any subscriber to bind a queue to. docs/events.md and
/// docs/asyncapi.json are generated from the events so marked (a test keeps them equal).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PublishedEventAttribute(string publisher) : Attribute
{
    /// <summary>The service that publishes it.</summary>
    public string Publisher { get; } = publisher;
}
