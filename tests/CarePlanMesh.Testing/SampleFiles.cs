using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Testing;

/// <summary>The spec's synthetic sample files (docs/samples, kept in UTF-8 for reading), written in MS932 as care software exports them.</summary>
public static class SampleFiles
{
    public const string Plan = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Table7 = "UPSIKYU_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Supplement = "UPHOSOKU_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Actual = "UPJSK_202506_0300000005_11_0300000100_43_20250701090000.CSV";

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name), Encoding.UTF8);

    public static byte[] Ms932Bytes(string name) => Ms932.Encoding.GetBytes(Text(name));

    /// <summary>
    /// The sample 予定 send unit under another 連番 and/or offices, so that each test sends its own unit; other offices
    /// replace the sample's in the records too (更新業者コード is the sender, the provider the recipient).
    /// </summary>
    public static (string Name, byte[] Content)[] PlanSendUnit(string serial, string sender = "0300000100", string recipient = "0300000005") =>
        [.. new[] { Plan, Table7, Supplement }.Select(name => (
            name.Replace("20250525103000", serial).Replace("0300000100_43_0300000005_11", $"{sender}_43_{recipient}_11"),
            Ms932.Encoding.GetBytes(Text(name).Replace("0300000100", sender).Replace("0300000005", recipient))))];

    /// <summary>A multipart form with one part named <c>files</c> per file, as the submission API takes it.</summary>
    public static MultipartFormDataContent Form(params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
            form.Add(new ByteArrayContent(content), "files", name);
        return form;
    }
}
