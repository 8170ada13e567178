using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Testing;

/// <summary>
/// One file of the standard as rows of field values, encoded on demand in MS932 with CRLF. Tests take a valid one from
/// <see cref="StandardFiles"/>, break exactly one thing through <see cref="Set"/> or <see cref="Rows"/>, and validate it.
/// </summary>
public sealed class StandardFile(string kind, string name, List<string[]> rows)
{
    public string Kind { get; } = kind;
    public string Name { get; set; } = name;
    public List<string[]> Rows { get; } = rows;
    public string LineEnding { get; set; } = "\r\n";
    public FileLayout Layout => FileLayouts.ByKind(Kind)!;

    /// <summary>The layout's field with this English name (layouts.json enName).</summary>
    public FieldSpec Field(string enName) => Layout.Fields[Index(enName)];

    public string Get(int row, string enName) => Rows[row][Index(enName)];

    public StandardFile Set(int row, string enName, string value)
    {
        Rows[row][Index(enName)] = value;
        return this;
    }

    /// <summary>Sets a field on every row, e.g. one CSV version for the whole file.</summary>
    public StandardFile SetAll(string enName, string value)
    {
        for (var row = 0; row < Rows.Count; row++)
            Set(row, enName, value);
        return this;
    }

    /// <summary>The physical line a row starts on: quoted line breaks in earlier rows push it down.</summary>
    public int LineOf(int row) => 1 + Rows.Take(row).Sum(r => 1 + r.Sum(v => v.Count(c => c == '\n')));

    public string Text => StandardFiles.Write(Kind, Rows, LineEnding);

    public byte[] Content => Ms932.Encoding.GetBytes(Text);

    public (string Name, byte[] Content) Pair => (Name, Content);

    public FileReport Validate(ValidationPolicy? policy = null) => FileValidator.Validate(Name, Content, policy);

    public StandardFile Clone() => new(Kind, Name, [.. Rows.Select(r => (string[])r.Clone())]) { LineEnding = LineEnding };

    int Index(string enName) =>
        Layout.IndexOf(enName) is >= 0 and var index ? index : throw new ArgumentException($"{Kind} has no field {enName}.", nameof(enName));
}

/// <summary>A legal send unit (SendUnitRules' shapes): its files and the office that sends it.</summary>
public sealed record SendUnit(string Shape, string Sender, IReadOnlyList<StandardFile> Files, IReadOnlyList<(string Name, byte[] Content)> Extra)
{
    public (string Name, byte[] Content)[] ToArray() => [.. Files.Select(f => f.Pair), .. Extra];

    public StandardFile File(string kind) => Files.Single(f => f.Kind == kind);

    public ValidationReport Validate(ValidationPolicy? policy = null) => StandardValidator.Validate(ToArray(), Sender, policy);

    public override string ToString() => Shape;
}

/// <summary>
/// Valid files of every CSV kind of the standard, built field by field from layouts.json (format, length, code list,
/// requirement), then fixed up per kind as the record rules ask: months equal to the file name's, service dates in the
/// month, the sender as updater and 実績 provider, 第7表 subtotal and grand-total rows, 00000000 / 000000 in the 補足 of
/// a monthly / plan unit, 福祉用具 rows with a TAIS code, and keys that tie up across a send unit. Free text is quoted
/// and carries commas, doubled quotes and a line break where the standard allows them.
/// </summary>
public static class StandardFiles
{
    public const string CareOffice = "0300000100";
    public const string CareOfficeType = "43";
    public const string Provider = "0300000005";
    public const string ProviderType = "11";
    /// <summary>A second provider of the user (福祉用具貸与), named on the care office's 第6表/第7表 only.</summary>
    public const string EquipmentProvider = "0300000007";
    public const string Month = "202506";
    public const string PlanMonth = "000000";
    public const string Serial = "20250601090000";
    /// <summary>Passes the 医療保険 check digit (spec README §5); the spec's 123456 does not.</summary>
    public const string Insurer = "435073";
    public const string PlanDate = "20250501";
    public const string CsvVersion = "202407";
    public const string TaisCode = "00001-000010";

    /// <summary>Two users by default: a 10-digit insured number and a 生活保護-only H number.</summary>
    public static readonly string[] Users = ["1234567890", "H123456789"];

    /// <summary>A line break, a comma and doubled quotes inside quoted free text (spec README §4).</summary>
    public const string TrickyText = "（架空）週3回、入浴は\"見守り\"で。\r\n通所は週1回,水曜日";

    public static IReadOnlyList<string> CsvKinds { get; } = [.. FileLayouts.All.Where(l => l.IsCsv).Select(l => l.Kind)];

    /// <summary>実績 and its delete go from the provider to the care office; everything else the other way.</summary>
    public static bool FromProvider(string kind) => kind is "actual6" or "actual6Delete";

    public static string SenderOf(string kind) => FromProvider(kind) ? Provider : CareOffice;

    /// <summary>The v4 name (spec README §3); <paramref name="v3"/> drops the service types as v3.x did.</summary>
    public static string Name(string kind, string serial = Serial, string month = Month, bool v3 = false)
    {
        var layout = FileLayouts.ByKind(kind)!;
        var (from, fromType, to, toType) = FromProvider(kind) ? (Provider, ProviderType, CareOffice, CareOfficeType) : (CareOffice, CareOfficeType, Provider, ProviderType);
        var monthPart = layout.HasMonthPart ? $"_{month}" : "";
        return v3 ? $"{layout.Prefix}{monthPart}_{from}_{to}_{serial}.CSV" : $"{layout.Prefix}{monthPart}_{from}_{fromType}_{to}_{toType}_{serial}.CSV";
    }

    /// <summary>A valid file; <paramref name="month"/> "000000" makes the 補足 of a plan unit.</summary>
    public static StandardFile Valid(string kind, string month = Month, string serial = Serial, params string[] users) =>
        new(kind, Name(kind, serial, month), Records(kind, month, users.Length > 0 ? users : Users));

    /// <summary>The natural month of a kind's file when it travels alone: a 補足 goes with the plan unless told otherwise.</summary>
    public static StandardFile Valid(string kind) => Valid(kind, kind == "supplement" ? PlanMonth : Month);

    /// <summary>Valid records of a kind, the rows of each user together.</summary>
    public static List<string[]> Records(string kind, string month, IReadOnlyList<string> users)
    {
        var layout = FileLayouts.ByKind(kind) ?? throw new ArgumentException($"No file kind {kind}.", nameof(kind));
        var rows = new List<string[]>();
        foreach (var user in users)
        {
            var template = layout.Fields.Select(f => Value(f, kind, month)).ToArray();
            Set(layout, template, "insuredNumber", user);
            rows.AddRange(KindRows(layout, template, month));
        }
        return rows;
    }

    /// <summary>Rows as the standard writes them: comma-separated, free text and anything with a comma or quote quoted.</summary>
    public static string Write(string kind, IEnumerable<string[]> rows, string lineEnding = "\r\n")
    {
        var layout = FileLayouts.ByKind(kind)!;
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                    text.Append(',');
                var freeText = i < layout.Fields.Count && layout.Fields[i].Format == FieldFormat.Text;
                text.Append(Quote(row[i], freeText));
            }
            text.Append(lineEnding);
        }
        return text.ToString();
    }

    /// <summary>Every legal send unit of SendUnitRules, each valid as a whole and sent by its sender.</summary>
    public static IReadOnlyList<SendUnit> SendUnits(string serial = Serial)
    {
        StandardFile F(string kind, string month = Month) => Valid(kind, month, serial);
        var image = (ImageName(serial), Jpeg);
        return
        [
            new("plan", CareOffice, [F("table1"), F("table2"), F("table3"), F("supplement", PlanMonth)], []),
            new("monthly", CareOffice, [F("plan6"), F("table7"), F("supplement")], []),
            new("table1Delete", CareOffice, [F("table1Delete")], []),
            new("plan6Delete", CareOffice, [F("plan6Delete")], []),
            new("actual6", Provider, [F("actual6")], []),
            new("actual6Delete", Provider, [F("actual6Delete")], []),
            new("yoboBasic", CareOffice, [F("yoboBasic"), F("yoboBasicSub1"), F("yoboBasicSub2")], []),
            new("yoboBasicWithImage", CareOffice, [F("yoboBasic"), F("yoboBasicSub1"), F("yoboBasicSub2")], [image]),
            new("yoboPlanWithBasic", CareOffice, [F("yoboPlan"), F("yoboPlanSub"), F("yoboBasic"), F("yoboBasicSub1"), F("yoboBasicSub2")], [image]),
            new("yoboPlan", CareOffice, [F("yoboPlan"), F("yoboPlanSub")], []),
            new("yoboBasicDelete", CareOffice, [F("yoboBasicDelete")], []),
            new("yoboPlanDelete", CareOffice, [F("yoboPlanDelete")], []),
        ];
    }

    public static SendUnit SendUnit(string shape, string serial = Serial) => SendUnits(serial).Single(u => u.Shape == shape);

    /// <summary>The family-structure image's name: the parent's name after the prefix, then a 4-digit branch.</summary>
    public static string ImageName(string serial = Serial, string branch = "0001") =>
        $"UPKIHON_IMAGE_{CareOffice}_{CareOfficeType}_{Provider}_{ProviderType}_{serial}_{branch}.jpg";

    /// <summary>The smallest byte sequence that starts and ends like a JPEG; the relay does not look inside images.</summary>
    public static byte[] Jpeg => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0xFF, 0xD9];

    static string Quote(string value, bool freeText) =>
        value.Length > 0 && (freeText || value.AsSpan().IndexOfAny(",\"\r\n") >= 0) ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    static void Set(FileLayout layout, string[] row, string enName, string value)
    {
        if (layout.IndexOf(enName) is >= 0 and var index)
            row[index] = value;
    }

    /// <summary>A value the field's format, length and code list accept; conditional fields stay empty until a kind needs them.</summary>
    static string Value(FieldSpec field, string kind, string month)
    {
        if (field.Requirement == Requirement.Conditional && field.Format != FieldFormat.Code)
            return "";
        var value = field.EnName switch
        {
            "csvVersion" => CsvVersion,
            "planCreatedOrChangedDate" or "consultationDate" => PlanDate,
            "targetYearMonth" or "deleteYearMonth" => month,
            "birthDate" => "19400401",
            "nameKana" => "カイゴ　タロウ",
            "time" => "07:00",
            "date" => "令和2年4月",
            _ when field.EnName.Contains("phone", StringComparison.OrdinalIgnoreCase) || field.EnName == "fax" => "019-000-0000",
            _ when field.EnName.StartsWith("equipment", StringComparison.Ordinal) || field.EnName == "familyImageFileName" => "",
            _ => ByFormat(field, kind),
        };
        return field.MaxLength is { } max && value.Length > max ? value[..max] : value;
    }

    static string ByFormat(FieldSpec field, string kind) => field.Format switch
    {
        FieldFormat.Date => "20250401",
        FieldFormat.YearMonth => Month,
        FieldFormat.Time or FieldFormat.TimeOr9999 => field.EnName.Contains("End", StringComparison.Ordinal) ? "0930" : "0900",
        FieldFormat.OfficeNumber => SenderOf(kind),
        FieldFormat.InsurerNumber => Insurer,
        FieldFormat.Digits or FieldFormat.Integer or FieldFormat.NumberOneToNinetyNine => "1",
        FieldFormat.Decimal99 => "10.00",
        FieldFormat.Alphanumeric => "01",
        FieldFormat.Code => field.Codes?.Order(StringComparer.Ordinal).First() ?? "",
        FieldFormat.ServiceType => ProviderType,
        FieldFormat.ServiceCode => "119901",
        FieldFormat.DayFlags => new string('1', 31),
        FieldFormat.PostalCode => "020-0001",
        FieldFormat.Text => $"（架空）{field.JaName}",
        _ => "",
    };

    /// <summary>The rows of one user, from the template every field of which is already valid.</summary>
    static IEnumerable<string[]> KindRows(FileLayout layout, string[] template, string month)
    {
        string[] Row(params (string Field, string Value)[] changes)
        {
            var row = (string[])template.Clone();
            foreach (var (field, value) in changes)
                Set(layout, row, field, value);
            return row;
        }

        return layout.Kind switch
        {
            "supplement" => [Supplement(Row(), month)],
            "table1" => [Row(("overallPolicy", TrickyText), ("firstPlanDate", "20240401"), ("careManagementOfficeNumber", CareOffice))],
            "table2" => [Row(("supportNo", "1"), ("serviceContent", TrickyText), ("providerOfficeNumber", Provider)),
                         Row(("supportNo", "2"), ("providerOfficeNumber", EquipmentProvider), ("insuranceCovered", "Y"))],
            "table3" => [Row(("weekday", "1")), Row(("weekday", "4"))],
            "plan6" => Table6(Row, month, withEquipment: true),
            "actual6" => Table6(Row, month, withEquipment: false),
            "actual6Delete" => [Row(("providerOfficeNumber", Provider), ("serviceTypeCode", ProviderType))],
            "table7" => Table7(Row),
            "yoboBasicSub1" => [Row(("time", "07:00")), Row(("time", "12:00"))],
            "yoboPlanSub" => [Row(("issueNo", "1")), Row(("issueNo", "2"))],
            _ => [Row()],
        };
    }

    /// <summary>A monthly unit's 補足 has plan date 00000000 and the month; a plan unit's the plan date and 000000.</summary>
    static string[] Supplement(string[] row, string month)
    {
        var layout = FileLayouts.ByKind("supplement")!;
        Set(layout, row, "planCreatedOrChangedDate", month == PlanMonth ? PlanDate : "00000000");
        // Type-limit frames are filled from frame 1; the others stay empty.
        for (var frame = 2; frame <= 9; frame++)
            foreach (var part in (string[])["ServiceType", "LimitUnits", "TotalUnits", "ExcessUnits"])
                Set(layout, row, $"typeLimit{frame}{part}", "");
        return row;
    }

    /// <summary>
    /// 第6表: two 訪問介護 visits of the provider; in 予定 also two identical 福祉用具 rentals of another provider, told
    /// apart by 明細判別コード 1 and 2, with a TAIS code and 9999 times (spec README §7).
    /// </summary>
    static IEnumerable<string[]> Table6(Func<(string, string)[], string[]> row, string month, bool withEquipment)
    {
        (string, string)[] Visit(string day, string code) =>
            [("serviceDate", month + day), ("serviceCode", code), ("units", "250"), ("providerOfficeNumber", Provider), ("planOfficeNumber", CareOffice)];
        (string, string)[] Rental(string discriminator) =>
        [
            ("serviceDate", month + "01"), ("serviceCode", "179901"), ("units", "100"), ("startTime", "9999"), ("endTime", "9999"), ("taisCode", TaisCode),
            ("equipmentName", "（架空）手すり（据置型）"), ("detailDiscriminator", discriminator), ("providerOfficeNumber", EquipmentProvider),
            ("providerOfficeName", "（架空）福祉用具事業所"), ("proratedDays", new string('1', 30) + "0"),
        ];
        yield return row(Visit("02", "119901"));
        yield return row(Visit("09", "119902"));
        if (!withEquipment)
            yield break;
        yield return row(Rental("1"));
        yield return row(Rental("2"));
    }

    /// <summary>第7表: detail rows, the 11AAAA subtotal the two 訪問介護 codes need, and the user's grand total.</summary>
    static IEnumerable<string[]> Table7(Func<(string, string)[], string[]> row)
    {
        (string, string)[] Detail(string office, string code, string units) =>
            [("providerOfficeNumber", office), ("serviceCode", code), ("units", units), ("countOrDays", "2")];
        (string, string)[] Summary(string office, string code) =>
            [("providerOfficeNumber", office), ("serviceCode", code), ("units", "0"), ("discountRate", ""), ("discountedUnits", "")];
        yield return row(Detail(Provider, "119901", "250"));
        yield return row(Detail(Provider, "119902", "300"));
        yield return row(Summary(Provider, "11AAAA"));
        yield return row([.. Detail(EquipmentProvider, "179901", "100"), ("taisCode", TaisCode), ("equipmentName", "（架空）手すり（据置型）")]);
        yield return row(Summary("9999999999", "999999"));
    }
}
