using System.IO.Compression;

namespace CarePlanMesh.Standard;

/// <summary>
/// The files of one send unit packed as a ZIP, byte for byte, with their standard names. This is the payload
/// that travels by claim check and the content of the sealed package the recipient opens.
/// </summary>
public static class SendUnitArchive
{
    public sealed record Entry(string Name, byte[] Content);

    // A fixed timestamp keeps the archive deterministic for the same files.
    static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Create(IEnumerable<Entry> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(file.Name, CompressionLevel.Optimal);
                entry.LastWriteTime = EntryTime;
                using var stream = entry.Open();
                stream.Write(file.Content);
            }
        }
        return buffer.ToArray();
    }

    public static IReadOnlyList<Entry> Read(byte[] archive, long maxEntryBytes = 64 * 1024 * 1024)
    {
        using var zip = new ZipArchive(new MemoryStream(archive, writable: false), ZipArchiveMode.Read);
        var entries = new List<Entry>(zip.Entries.Count);
        foreach (var entry in zip.Entries)
        {
            if (entry.Length > maxEntryBytes)
                throw new InvalidDataException($"Archive entry of {entry.Length} bytes exceeds the limit of {maxEntryBytes}.");
            using var stream = entry.Open();
            using var content = new MemoryStream((int)entry.Length);
            stream.CopyTo(content);
            entries.Add(new Entry(entry.FullName, content.ToArray()));
        }
        return entries;
    }
}
