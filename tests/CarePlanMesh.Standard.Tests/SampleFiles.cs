using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Standard.Tests;

/// <summary>The spec's sample files, encoded in MS932 as care software writes them.</summary>
public static class SampleFiles
{
    public const string Plan = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Table7 = "UPSIKYU_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Supplement = "UPHOSOKU_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Actual = "UPJSK_202506_0300000005_11_0300000100_43_20250701090000.CSV";

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name), Encoding.UTF8);

    public static byte[] Ms932Bytes(string name) => Ms932.Encoding.GetBytes(Text(name));
}
