using CarePlanMesh.Standard;

namespace CarePlanMesh.Testing;

/// <summary>
/// Valid files of every CSV kind of the standard, built field by field from layouts.json, with the fix-ups the record
/// rules ask for (month, service dates, direction, 第7表 totals, keys across a send unit). Tests start from one and break
/// exactly one thing. Written in real MS932 with CRLF, as care software writes them.
/// </summary>
public static class StandardFiles
{
    public const string CareOffice = "0300000100";
    public const string Provider = "0300000005";
    public const string Month = "202506";
    public const string Serial = "20250601090000";
    public const string Insurer = "435073";
    public const string PlanDate = "20250501";

    /// <summary>Kinds sent by the provider (実績); every other kind goes from the care office to the provider.</summary>
    public static bool FromProvider(string kind) => kind is "actual6" or "actual6Delete";

    public static IEnumerable<string> CsvKinds => FileLayouts.All.Where(l => l.IsCsv).Select(l => l.Kind);

    /// <summary>The standard name of a file of this kind; <paramref name="month"/> "000000" gives a plan unit's 補足.</summary>
    public static string Name(string kind, string serial = Serial, string month = Month)
    {
        var layout = FileLayouts.ByKind(kind)!;
        var (sender, senderType, recipient, recipientType) = FromProvider(kind) ? (Provider, "11", CareOffice, "43") : (CareOffice, "43", Provider, "11");
        var monthPart = layout.HasMonthPart ? $"_{month}" : "";
        return $"{layout.Prefix}{monthPart}_{sender}_{senderType}_{recipient}_{recipientType}_{serial}.CSV";
    }

    /// <summary>Valid records of a kind for the given users (insured numbers), each user one or more rows.</summary>
    public static List<string[]> Records(string kind, string month = Month, params string[] insured)
    {
        if (insured.Length == 0)
            insured = ["1234567890"];
        var rows = new List<string[]>();
        foreach (var user in insured)
            rows.AddRange(kind == "table7" ? [Row(kind, month, user, detail: true), Row(kind, month, user, detail: false)] : [Row(kind, month, user, detail: true)]);
        return rows;
    }

    public static byte[] Encode(IEnumerable<string[]> records) =>
        Ms932.Encoding.GetBytes(string.Concat(records.Select(r => string.Join(',', r.Select(Quote)) + "\r\n")));

    public static (string Name, byte[] Content) File(string kind, string serial = Serial, string month = Month, params string[] insured) =>
        (Name(kind, serial, month), Encode(Records(kind, month, insured)));

    /// <summary>The standard's legal send units, each valid as a whole.</summary>
    public static IReadOnlyDictionary<string, (string Name, byte[] Content)[]> SendUnits(string serial = Serial) => new Dictionary<string, (string, byte[])[]>
    {
        ["plan"] = [File("table1", serial), File("table2", serial), File("table3", serial), File("supplement", serial, "000000")],
        ["monthly"] = [File("plan6", serial), File("table7", serial), File("supplement", serial)],
        ["table1Delete"] = [File("table1Delete", serial)],
        ["plan6Delete"] = [File("plan6Delete", serial)],
        ["actual6"] = [File("actual6", serial)],
        ["actual6Delete"] = [File("actual6Delete", serial)],
        ["yoboBasic"] = [File("yoboBasic", serial), File("yoboBasicSub1", serial), File("yoboBasicSub2", serial)],
        ["yoboPlanWithBasic"] = [File("yoboPlan", serial), File("yoboPlanSub", serial), File("yoboBasic", serial), File("yoboBasicSub1", serial), File("yoboBasicSub2", serial)],
        ["yoboPlan"] = [File("yoboPlan", serial), File("yoboPlanSub", serial)],
        ["yoboBasicDelete"] = [File("yoboBasicDelete", serial)],
        ["yoboPlanDelete"] = [File("yoboPlanDelete", serial)],
    };

    static string Quote(string value) => value.Length > 0 && value.Any(c => c > 0x7F || c is ',' or '"' or '\r' or '\n') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    static string[] Row(string kind, string month, string insured, bool detail)
    {
        var layout = FileLayouts.ByKind(kind)!;
        var sender = FromProvider(kind) ? Provider : CareOffice;
        var row = layout.Fields.Select(f => Value(f, kind, month, insured, sender)).ToArray();
        void Set(string field, string value) { if (layout.IndexOf(field) is >= 0 and var i) row[i] = value; }

        switch (kind)
        {
            case "plan6" or "actual6":
                Set("providerOfficeNumber", Provider);
                Set("updaterOfficeCode", sender);
                break;
            case "actual6Delete":
                Set("providerOfficeNumber", Provider);
                Set("serviceTypeCode", "11");
                break;
            case "supplement":
                Set("planCreatedOrChangedDate", month == "000000" ? PlanDate : "00000000");
                Set("targetYearMonth", month);
                break;
            case "table7" when detail:
                Set("providerOfficeNumber", Provider);
                Set("units", "250");
                Set("countOrDays", "1");
                break;
            case "table7":
                Set("providerOfficeNumber", "9999999999");
                Set("serviceCode", "999999");
                Set("units", "0");
                Set("countOrDays", "0");
                break;
        }
        return row;
    }

    static string Value(FieldSpec field, string kind, string month, string insured, string sender)
    {
        var fill = field.Requirement is Requirement.Required or Requirement.Uncertain;
        return field.EnName switch
        {
            "csvVersion" => "202407",
            "insurerNumber" => Insurer,
            "insuredNumber" => insured,
            "planCreatedOrChangedDate" or "consultationDate" => PlanDate,
            "serviceDate" => month + "02",
            "targetYearMonth" or "deleteYearMonth" => month,
            _ => field.Format switch
            {
                FieldFormat.Date => fill ? "20250525" : "",
                FieldFormat.YearMonth => fill ? month : "",
                FieldFormat.Time => fill ? "0900" : "",
                FieldFormat.TimeOr9999 => field.EnName == "endTime" ? "0930" : "0900",
                FieldFormat.OfficeNumber => fill ? sender : "",
                FieldFormat.Integer or FieldFormat.Digits or FieldFormat.NumberOneToNinetyNine => fill ? "1" : "",
                FieldFormat.Decimal99 => fill ? "10.00" : "",
                FieldFormat.Code => fill ? field.Codes!.Order(StringComparer.Ordinal).First() : "",
                FieldFormat.ServiceType => fill ? "11" : "",
                FieldFormat.ServiceCode => "119901",
                FieldFormat.Alphanumeric => fill ? "A1" : "",
                FieldFormat.PostalCode => fill ? "100-0001" : "",
                FieldFormat.Text => fill ? "（架空）テスト" : "",
                _ => "",
            },
        };
    }
}
