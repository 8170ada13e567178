using System.Globalization;

namespace CarePlanMesh.Standard;

/// <summary>A file name of the standard, e.g. UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV (spec README §3).</summary>
public sealed record StandardFileName(
    string Name,
    FileLayout Layout,
    string? Month,
    string SenderOffice,
    string? SenderServiceType,
    string RecipientOffice,
    string? RecipientServiceType,
    string SendUnit)
{
    /// <summary>v3.x names carry no service-type codes; still accepted, with a warning.</summary>
    public bool IsLegacyV3 => SenderServiceType is null;

    /// <summary>
    /// Parses a file name and lists everything wrong with it. Returns null when the name is not a name of the standard at all.
    /// </summary>
    public static StandardFileName? Parse(string name, List<Defect> defects)
    {
        foreach (var layout in FileLayouts.All)
        {
            var match = layout.V4Name.Match(name);
            var legacy = false;
            if (!match.Success)
            {
                match = layout.V3Name.Match(name);
                legacy = match.Success;
            }
            if (!match.Success)
                continue;

            string? month = layout.HasMonthPart ? name.Substring(layout.Prefix.Length + 1, 6) : null;
            var parsed = legacy
                ? new StandardFileName(name, layout, month, match.Groups[1].Value, null, match.Groups[2].Value, null, match.Groups[3].Value)
                : new StandardFileName(name, layout, month, match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value, match.Groups[5].Value);
            parsed.CheckParts(defects);
            return parsed;
        }

        defects.Add(Defect.Error(name, "file-name.pattern",
            "ファイル名が標準仕様の命名規則に一致しません（例: UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV）。",
            "The file name does not follow the standard's naming rule (e.g. UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV)."));
        return null;
    }

    void CheckParts(List<Defect> defects)
    {
        if (IsLegacyV3)
            defects.Add(Defect.Warning(Name, "file-name.v3",
                "v3.x形式のファイル名です（サービス種類コードがありません）。v4.x形式への移行をお勧めします。",
                "This is a v3.x file name without service-type codes; please move to the v4.x form."));

        if (!DateTime.TryParseExact(SendUnit, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            defects.Add(Defect.Error(Name, "file-name.serial-date",
                "ファイル連番（末尾14桁）が実在する日時（YYYYMMDDHHMMSS）ではありません。",
                "The file serial (the last 14 digits) is not a real date and time (YYYYMMDDHHMMSS)."));

        if (Month is null)
            return;
        var isPlanSupplement = Layout.Kind == "supplement" && Month == "000000";
        if (!isPlanSupplement && !DateTime.TryParseExact(Month, "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            defects.Add(Defect.Error(Name, "file-name.month",
                "ファイル名の年月（YYYYMM）が実在する年月ではありません（000000は利用者補足情報のみ）。",
                "The month in the file name (YYYYMM) is not a real month (000000 is allowed only for the user supplement)."));
    }
}
