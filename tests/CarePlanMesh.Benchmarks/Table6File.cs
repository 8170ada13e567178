using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Benchmarks;

/// <summary>
/// A realistic 第6表 予定 of many users (20 rows each), written in MS932 with CRLF: visits of 訪問介護, 訪問看護 and
/// 通所リハ with times, 福祉用具 rows with a TAIS code and 9999 times, quoted staff and office names.
/// </summary>
public static class Table6File
{
    public const string Name = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV";

    public static byte[] Create(int records)
    {
        var text = new StringBuilder(records * 160);
        for (var i = 0; i < records; i++)
        {
            var user = i / 20;
            var (code, start, end, tais, provider) = (i % 4) switch
            {
                0 => ("111111", "0900", "0930", "", "0300000005"),
                1 => ("131111", "1000", "1030", "", "0300000006"),
                2 => ("161111", "1300", "1500", "", "0300000008"),
                _ => ("171001", "9999", "9999", "00001-000010", "0300000007"),
            };
            var day = 1 + i % 30;
            text.Append("202407,435073,").Append((1_000_000_000 + user).ToString()).Append(",20250525,202506,0300000100,\"（架空）担当ケアマネ")
                .Append(user % 50).Append("\",250,,202506").Append(day.ToString("00")).Append(",,").Append(start).Append(',').Append(end)
                .Append(",1,").Append(code).Append(',').Append(tais).Append(",,").Append(tais.Length > 0 ? "\"手すり（据置型）\"" : "")
                .Append(",,").Append(provider).Append(",\"（架空）事業所").Append(provider[^2..]).Append("\",,0,0300000100,\r\n");
        }
        return Ms932.Encoding.GetBytes(text.ToString());
    }
}
