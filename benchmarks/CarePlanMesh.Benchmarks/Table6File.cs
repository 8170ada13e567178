using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Benchmarks;

/// <summary>
/// A realistic 第6表 予定 of many users (20 rows each), written in MS932 with CRLF: visits of 訪問介護 (11), 訪問看護 (13)
/// and 通所介護 (15) with times, 福祉用具貸与 (17) rows with a TAIS code and 9999 times, quoted staff, office and
/// equipment names. Every date lies in the file name's month 202506; the updating office is the sender 0300000100.
/// </summary>
public static class Table6File
{
    public const string Name = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV";

    public static byte[] Create(int records)
    {
        var text = new StringBuilder(records * 170);
        for (var i = 0; i < records; i++)
        {
            var user = i / 20;
            var (code, units, start, end, tais, provider, office) = (i % 4) switch
            {
                0 => ("111111", "244", "0900", "0930", "", "0300000005", "訪問介護事業所"),
                1 => ("131111", "471", "1000", "1030", "", "0300000006", "訪問看護ステーション"),
                2 => ("151111", "658", "0930", "1630", "", "0300000008", "デイサービスセンター"),
                _ => ("171001", "100", "9999", "9999", "00001-000010", "0300000007", "福祉用具事業所"),
            };
            var day = 1 + i % 30;
            text.Append("202407,435073,").Append((1_000_000_000 + user).ToString()).Append(",20250525,202506,0300000100,\"（架空）担当ケアマネ")
                .Append(user % 50).Append("\",").Append(units).Append(",,202506").Append(day.ToString("00")).Append(",,").Append(start).Append(',').Append(end)
                .Append(",1,").Append(code).Append(',').Append(tais).Append(",,").Append(tais.Length > 0 ? "\"手すり（据置型）\"" : "")
                .Append(",,").Append(provider).Append(",\"（架空）").Append(office).Append(provider[^2..]).Append("\",,0,0300000100,\r\n");
        }
        return Ms932.Encoding.GetBytes(text.ToString());
    }
}
