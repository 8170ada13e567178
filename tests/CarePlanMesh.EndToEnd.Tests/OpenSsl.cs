using System.Diagnostics;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The real openssl binary, as a recipient or an inspector uses it on what the relay hands out.</summary>
public static class OpenSsl
{
    /// <summary>`openssl cms -decrypt` with the office's key: the signed message inside a sealed package.</summary>
    public static Task<byte[]> Decrypt(byte[] sealedPackage, string officeDirectory) =>
        InScratch(sealedPackage, (input, output) => ["cms", "-decrypt", "-inform", "DER", "-in", input,
            "-inkey", Path.Combine(officeDirectory, "key.pem"), "-recip", Path.Combine(officeDirectory, "cert.pem"), "-out", output]);

    /// <summary>`openssl cms -verify` against the CA: the signed content, or an exception saying why it does not verify.</summary>
    public static Task<byte[]> Verify(byte[] signedMessage, string caFile) =>
        InScratch(signedMessage, (input, output) => ["cms", "-verify", "-inform", "DER", "-in", input, "-CAfile", caFile, "-out", output]);

    static async Task<byte[]> InScratch(byte[] input, Func<string, string, string[]> arguments)
    {
        var directory = Directory.CreateTempSubdirectory("careplanmesh-openssl-").FullName;
        try
        {
            var (inputFile, outputFile) = (Path.Combine(directory, "in.der"), Path.Combine(directory, "out"));
            await File.WriteAllBytesAsync(inputFile, input);
            await Run(arguments(inputFile, outputFile));
            return await File.ReadAllBytesAsync(outputFile);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    static async Task Run(string[] arguments)
    {
        if (!File.Exists("/usr/bin/openssl"))
            throw new InvalidOperationException("The interop check needs the openssl binary: apt-get install openssl.");
        var start = new ProcessStartInfo("/usr/bin/openssl", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {error}");
    }
}
