// The mesh and the fault mesh each run every service as processes on a 2-core machine: one collection at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
