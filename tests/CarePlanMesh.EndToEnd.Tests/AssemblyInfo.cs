// Two test collections at a time (xunit.runner.json: maxParallelThreads 2, parallelAlgorithm conservative), the long mesh
// collection first beside the others in turn: each runs every service as processes, and a 2-core machine holds two such
// meshes but not four. CollectionOrder puts them in that order.
[assembly: TestCollectionOrderer("CarePlanMesh.EndToEnd.Tests.CollectionOrder", "CarePlanMesh.EndToEnd.Tests")]
