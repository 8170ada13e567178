using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.LoadHarness;

if (HarnessOptions.CommandLine(args, HarnessOptions.Usage, HarnessOptions.Parse, out var exitCode) is not { } options)
    return exitCode;

var pairs = SendUnits.Pairs(options.Demo);
if (pairs.Count == 0 || options.Offices > pairs.Count)
{
    Console.Error.WriteLine($"{Path.Combine(options.Demo, "offices.json")} has {pairs.Count} licensed care office (43) → 訪問介護 (11) partner pair(s); asked for {options.Offices}.");
    return 2;
}
var mesh = MeshProcesses.Find(options.Data);
if (mesh.Roots.Count == 0)
{
    Console.Error.WriteLine($"No running mesh processes under {options.Data} (pids/*.pid, postgres/postmaster.pid); start it with deploy/local/up.");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(options.Demo, "ca.pem"));
var samples = SendUnits.ReadSamples(options.Demo);
var senders = new List<Sender>();
try
{
    foreach (var (sender, recipient) in pairs.Take(options.Offices ?? pairs.Count))
    {
        var client = await OfficeClient.SignIn(options.Url, options.Demo, sender, ca, cancel.Token);
        var newest = await client.Get($"/v1/submissions?recipientOffice={recipient}&limit=1", cancel.Token);
        var serial = newest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sendUnit").GetString()).FirstOrDefault();
        senders.Add(new Sender(client, new SendUnits(sender, recipient, samples, SendUnits.FirstSerial(serial, DateTime.UtcNow))));
    }
    Console.Error.WriteLine($"Offering to {options.Url} as {string.Join(", ", senders.Select(s => $"{s.Units.Sender}→{s.Units.Recipient}"))}; watching {string.Join(", ", mesh.Roots.Select(r => $"{r.Name} ({r.Pid})"))}");
    var database = options.Database is { } connectionString ? new DatabaseCounters(connectionString) : null;
    var result = await new LoadRun(options, senders, mesh, database, Console.Error).Run(cancel.Token);
    Console.Write(result.Table());
    if (options.Json)
        Console.WriteLine(result.Json());
    return 0;
}
finally
{
    foreach (var sender in senders)
        sender.Client.Dispose();
}
