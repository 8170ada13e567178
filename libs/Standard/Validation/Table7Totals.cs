namespace CarePlanMesh.Standard;

/// <summary>
/// 第7表 row kinds (spec README §8): per user exactly one grand total (No.7 9999999999, No.9 999999); an AAAA subtotal
/// for every service type with several code rows; 単位数 0 and empty 割引後 fields on subtotal and total rows.
/// </summary>
sealed class Table7Totals(DefectList defects)
{
    sealed class User
    {
        public int Totals;
        public int FirstLine;
        public readonly Dictionary<string, HashSet<string>> CodesByType = new(StringComparer.Ordinal);
        public readonly HashSet<string> Subtotals = new(StringComparer.Ordinal);
    }

    const string TotalOffice = "9999999999";
    const string TotalCode = "999999";
    readonly Dictionary<string, User> _users = new(StringComparer.Ordinal);

    public void Add(string[] fields, int line, int insurer, int insured, int office, int code, int units, int discountRate, int discountedUnits, FileLayout layout)
    {
        var key = string.Concat(fields[insurer], "|", fields[insured]);
        if (!_users.TryGetValue(key, out var user))
            _users[key] = user = new User { FirstLine = line };
        var serviceCode = fields[code];
        var isTotal = fields[office] == TotalOffice || serviceCode == TotalCode;
        if (isTotal)
        {
            user.Totals++;
            if (fields[office] != TotalOffice || serviceCode != TotalCode)
                defects.Field(RuleLevel.Error, "table7.total-row", layout.Fields[code], line, serviceCode,
                    "合計行は事業所番号9999999999とサービスコード999999の両方を設定します。",
                    "The grand-total row has both office number 9999999999 and service code 999999.");
        }
        else if (FieldRules.IsTable7Subtotal(serviceCode))
            user.Subtotals.Add(serviceCode);
        else if (serviceCode.Length == 6)
        {
            var type = serviceCode[..2];
            if (!user.CodesByType.TryGetValue(type, out var codes))
                user.CodesByType[type] = codes = new HashSet<string>(StringComparer.Ordinal);
            codes.Add(serviceCode);
            return;
        }
        else
            return;

        if (fields[units] is { Length: > 0 } u && u != "0")
            defects.Field(RuleLevel.Error, "table7.subtotal-units", layout.Fields[units], line, u,
                "小計・合計行の単位数は0です。", "Units are 0 on subtotal and grand-total rows.");
        foreach (var empty in (int[])[discountRate, discountedUnits])
            if (fields[empty].Length > 0)
                defects.Field(RuleLevel.Error, "table7.subtotal-discount", layout.Fields[empty], line, fields[empty],
                    "小計・合計行の割引後率・割引後単位数は空にします。", "Discount fields are empty on subtotal and grand-total rows.");
    }

    public void Complete()
    {
        foreach (var user in _users.Values)
        {
            if (user.Totals != 1)
                defects.Error("table7.total-count",
                    $"{user.FirstLine}行目からの利用者の合計行（9999999999/999999）が{user.Totals}行あります。利用者ごとに1行です。",
                    $"The user starting at line {user.FirstLine} has {user.Totals} grand-total rows (9999999999/999999); exactly one is required.",
                    line: user.FirstLine);
            foreach (var (type, codes) in user.CodesByType)
                if (codes.Count > 1 && !user.Subtotals.Contains(type + "AAAA"))
                    defects.Error("table7.subtotal-missing",
                        $"{user.FirstLine}行目からの利用者: サービス種類{type}に複数のサービスコードがあるため、小計行{type}AAAAが必要です。",
                        $"User starting at line {user.FirstLine}: service type {type} has several service codes, so a {type}AAAA subtotal row is required.",
                        line: user.FirstLine);
        }
    }
}
