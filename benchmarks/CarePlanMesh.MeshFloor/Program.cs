using CarePlanMesh.MeshFloor;

if (args is ["--help" or "-h"])
{
    Console.WriteLine(FloorOptions.Usage);
    return 0;
}
FloorOptions options;
try
{
    options = FloorOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or UriFormatException)
{
    Console.Error.WriteLine($"{e.Message}\n\n{FloorOptions.Usage}");
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await Floor.Run(options, Console.Out, Console.Error, cancel.Token);
