using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The spec's synthetic sample files, written in MS932 as care software exports them.</summary>
public static class Samples
{
    public const string Plan = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Table7 = "UPSIKYU_202506_0300000100_43_0300000005_11_20250525103000.CSV";
    public const string Supplement = "UPHOSOKU_202506_0300000100_43_0300000005_11_20250525103000.CSV";

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name), Encoding.UTF8);

    public static byte[] Ms932(string name) => Standard.Ms932.Encoding.GetBytes(Text(name));

    /// <summary>The sample send unit under another 連番 and/or offices, so that each test sends its own unit.</summary>
    public static (string Name, byte[] Content)[] PlanSendUnit(string serial, string sender = "0300000100", string recipient = "0300000005") =>
        [.. new[] { Plan, Table7, Supplement }.Select(name => (
            name.Replace("20250525103000", serial).Replace("0300000100_43_0300000005_11", $"{sender}_43_{recipient}_11"),
            Ms932(name)))];

    public static MultipartFormDataContent Form(params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
            form.Add(new ByteArrayContent(content), "files", name);
        return form;
    }
}
