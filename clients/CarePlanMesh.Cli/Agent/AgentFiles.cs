namespace CarePlanMesh.Cli.Agent;

/// <summary>File steps the agent repeats safely after a crash.</summary>
public static class AgentFiles
{
    /// <summary>The folder, or the folder with _2, _3 … when a unit of the same 連番 is already there (a resend).</summary>
    public static string Unique(string folder)
    {
        var candidate = folder;
        for (var n = 2; Directory.Exists(candidate); n++)
            candidate = $"{folder}_{n}";
        return candidate;
    }

    /// <summary>Moves the named files that are still in <paramref name="from"/>; each move is atomic, so repeating it after a crash is harmless.</summary>
    public static void Move(IEnumerable<string> names, string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var name in names)
        {
            var source = Path.Combine(from, name);
            if (File.Exists(source))
                File.Move(source, Path.Combine(to, name), overwrite: true);
        }
    }

    /// <summary>Writes a file under a temporary name and renames it, so that a crash never leaves half a file.</summary>
    public static void WriteAtomically(string path, byte[] content)
    {
        var temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
