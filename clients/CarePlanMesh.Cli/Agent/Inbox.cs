using System.Net;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Cli.Agent;

/// <summary>
/// The inbox: deliveries waiting in the office's mailbox are downloaded, decrypted with the office key, verified against
/// the relay, unzipped into inbox/&lt;sender office&gt;/&lt;連番&gt;/ strictly in 連番 order per sender, then acknowledged.
/// Every step is recorded before the next, so a restart resumes without losing or acknowledging twice.
/// </summary>
public sealed class Inbox(AgentSettings settings, AgentStore store, RelayConnection relay, AgentLog log)
{
    sealed record WaitingFor(string SendUnit, string State, Guid? Id);

    sealed record MailboxItem(Guid Id, string SenderOffice, string SendUnit, WaitingFor? WaitingFor);

    sealed record Page(List<MailboxItem> Items, string? Next);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>When each delivery started waiting for an earlier one, for the notice when it waits long.</summary>
    readonly Dictionary<Guid, DateTimeOffset> _waitingSince = [];

    /// <summary>
    /// Deliveries refused before this start are fetched and checked again: the agent may trust other relay certificates now
    /// (the bundle of a renewal, docs/operations.md); a package that still does not open is refused again.
    /// </summary>
    public void RecheckRefused()
    {
        foreach (var row in store.DeliveriesIn(DeliveryStates.Refused))
        {
            store.SetDeliveryState(row.Id, DeliveryStates.Known);
            log.Info($"delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit} was refused before this start: checking it again");
        }
    }

    public async Task Tick(CancellationToken cancellationToken)
    {
        var awaiting = await Awaiting(cancellationToken);
        foreach (var item in awaiting)
            store.AddDelivery(item.Id, item.SenderOffice, item.SendUnit);

        // Imported but not acknowledged (a crash or a failed call): acknowledge first, so later units are not held up.
        foreach (var row in store.DeliveriesIn(DeliveryStates.Imported))
            await Acknowledge(row, cancellationToken);
        foreach (var row in store.DeliveriesIn(DeliveryStates.Acknowledged))
            await SaveReceipt(row, cancellationToken);

        foreach (var sender in awaiting.GroupBy(i => i.SenderOffice))
            foreach (var item in sender.OrderBy(i => i.SendUnit, StringComparer.Ordinal))
            {
                var row = store.Delivery(item.Id)!;
                if (row.State is DeliveryStates.Acknowledged or DeliveryStates.Receipted)
                    continue;
                if (row.State == DeliveryStates.Refused || !MayImport(item) || !await Import(row, cancellationToken))
                    break;
            }
    }

    /// <summary>A unit waits while an earlier one from the same sender is on its way or waiting, unless this agent has already imported that one.</summary>
    bool MayImport(MailboxItem item)
    {
        if (item.WaitingFor is not { } earlier
            || earlier.Id is { } id && store.Delivery(id)?.State is DeliveryStates.Imported or DeliveryStates.Acknowledged or DeliveryStates.Receipted)
        {
            _waitingSince.Remove(item.Id);
            return true;
        }
        var now = DateTimeOffset.UtcNow;
        if (!_waitingSince.TryGetValue(item.Id, out var since))
        {
            _waitingSince[item.Id] = now;
            log.Info($"delivery {item.Id} from {item.SenderOffice} 連番 {item.SendUnit} waits for 連番 {earlier.SendUnit} ({earlier.State})");
        }
        else if (now - since >= settings.LongWait && now - since < settings.LongWait + settings.Poll)
            log.Notice($"delivery {item.Id} from {item.SenderOffice} 連番 {item.SendUnit} has waited {(int)(now - since).TotalMinutes} min for 連番 {earlier.SendUnit} ({earlier.State})");
        return false;
    }

    async Task<bool> Import(DeliveryRow row, CancellationToken cancellationToken)
    {
        var package = Path.Combine(settings.Packages, $"{row.Id}.p7m");
        if (row.State == DeliveryStates.Known)
        {
            log.Info($"downloading delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit}");
            using var response = await relay.Send(() => new HttpRequestMessage(HttpMethod.Get, $"/v1/mailbox/{row.Id}"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                log.Warn($"delivery {row.Id}: relay answered {(int)response.StatusCode} to the download");
                return false;
            }
            Directory.CreateDirectory(settings.Packages);
            AgentFiles.WriteAtomically(package, await response.Content.ReadAsByteArrayAsync(cancellationToken));
            store.SetDeliveryState(row.Id, DeliveryStates.Downloaded);
            row = row with { State = DeliveryStates.Downloaded };
        }
        if (row.State is DeliveryStates.Downloaded or DeliveryStates.Importing)
        {
            if (Open(row, package) is not { } files)
                return false;
            if (row.State == DeliveryStates.Downloaded)
            {
                var folder = AgentFiles.Unique(Path.Combine(settings.Inbox, row.SenderOffice, row.SendUnit));
                store.SetDeliveryState(row.Id, DeliveryStates.Importing, folder);
                row = row with { State = DeliveryStates.Importing, Folder = folder };
            }
            // The files appear in the inbox in one move of a complete folder: import software never sees half a unit.
            if (!Directory.Exists(row.Folder))
            {
                var partial = Path.Combine(settings.InboxPartial, row.Id.ToString());
                if (Directory.Exists(partial))
                    Directory.Delete(partial, recursive: true);
                Directory.CreateDirectory(partial);
                foreach (var file in files)
                    AgentFiles.WriteAtomically(Path.Combine(partial, file.Name), file.Content);
                Directory.CreateDirectory(Path.GetDirectoryName(row.Folder)!);
                Directory.Move(partial, row.Folder!);
            }
            store.SetDeliveryState(row.Id, DeliveryStates.Imported);
            log.Info($"delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit} imported ({files.Count} files)");
            row = row with { State = DeliveryStates.Imported };
        }
        return await Acknowledge(row, cancellationToken);
    }

    /// <summary>Decrypts with the office key and checks the relay's signature; a package that fails is refused and never imported.</summary>
    IReadOnlyList<SendUnitArchive.Entry>? Open(DeliveryRow row, string package)
    {
        try
        {
            var opened = PackageOpener.Open(File.ReadAllBytes(package), settings.Certificate, settings.Ca, settings.Relay);
            var files = SendUnitArchive.Read(opened.Content);
            // Only the standard's file names of this sender and 連番, so no entry can write outside its folder.
            if (files.Count == 0 || files.Any(f => StandardFileName.Parse(f.Name, []) is not { } name
                || name.Name != Path.GetFileName(f.Name) || name.SenderOffice != row.SenderOffice || name.SendUnit != row.SendUnit))
                throw new InvalidDataException("unexpected entries");
            return files;
        }
        catch (Exception exception) when (exception is SealedPackageException or InvalidDataException)
        {
            store.SetDeliveryState(row.Id, DeliveryStates.Refused);
            log.Warn($"delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit} refused: the package did not open or verify ({exception.GetType().Name}); not imported, not acknowledged");
            return null;
        }
    }

    async Task<bool> Acknowledge(DeliveryRow row, CancellationToken cancellationToken)
    {
        using var response = await relay.Send(() => new HttpRequestMessage(HttpMethod.Post, $"/v1/mailbox/{row.Id}/ack"), cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            log.Warn($"delivery {row.Id}: relay answered {(int)response.StatusCode} to the acknowledgement");
            return false;
        }
        store.SetDeliveryState(row.Id, DeliveryStates.Acknowledged);
        log.Info($"delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit} acknowledged");
        return true;
    }

    /// <summary>
    /// Saves the relay's signed receipt of the acknowledgement beside the imported files. The relay records the
    /// acknowledgement a moment after taking it, so until then the receipt is not there yet and the next round asks again.
    /// </summary>
    async Task SaveReceipt(DeliveryRow row, CancellationToken cancellationToken)
    {
        using var response = await relay.Send(() => new HttpRequestMessage(HttpMethod.Get, $"/v1/mailbox/{row.Id}/receipt"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            AgentFiles.WriteAtomically(Path.Combine(row.Folder!, ReceiptFile), await response.Content.ReadAsByteArrayAsync(cancellationToken));
            store.SetDeliveryState(row.Id, DeliveryStates.Receipted);
            log.Info($"delivery {row.Id} from {row.SenderOffice} 連番 {row.SendUnit}: receipt saved");
        }
        else if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // The relay no longer holds the delivery (its metadata is past retention): there will never be a receipt.
            log.Warn($"delivery {row.Id}: the relay no longer has it, so no receipt is saved");
            store.SetDeliveryState(row.Id, DeliveryStates.Receipted);
        }
    }

    /// <summary>The relay's signed receipt of the acknowledgement, beside a received unit's files (as in outbox/sent).</summary>
    public const string ReceiptFile = "receipt-acknowledged.p7s";

    async Task<List<MailboxItem>> Awaiting(CancellationToken cancellationToken)
    {
        var items = new List<MailboxItem>();
        string? next = "/v1/mailbox?state=awaiting&limit=200";
        while (next is not null)
        {
            var path = next;
            using var response = await relay.Send(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new RelayRefusedException((int)response.StatusCode, "mailbox list");
            var page = JsonSerializer.Deserialize<Page>(await response.Content.ReadAsStringAsync(cancellationToken), Json)!;
            items.AddRange(page.Items);
            next = page.Next;
        }
        return items;
    }
}
