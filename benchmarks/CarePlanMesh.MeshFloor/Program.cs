using CarePlanMesh.LoadHarness;
using CarePlanMesh.MeshFloor;

if (HarnessOptions.CommandLine(args, FloorOptions.Usage, FloorOptions.Parse, out var exitCode) is not { } options)
    return exitCode;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await Floor.Run(options, Console.Out, Console.Error, cancel.Token);
