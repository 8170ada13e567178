using Xunit.Abstractions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The order the collections start in, two at a time (AssemblyInfo.cs): the mesh collection, by far the longest, first,
/// so that the others run beside it one after another, longest first, rather than all of them before it.
/// </summary>
public sealed class CollectionOrder : ITestCollectionOrderer
{
    static readonly string[] First = [MeshCollection.Name, FaultCollection.Name, ClusterCollection.Name];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(collection => Array.IndexOf(First, collection.DisplayName) is var i and >= 0 ? i : First.Length)
            .ThenBy(collection => collection.DisplayName, StringComparer.Ordinal);
}
