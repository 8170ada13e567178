namespace CarePlanMesh.Standard;

/// <summary>
/// Field-level rules (issue #3 §3): required, maximum length, format, code lists. Each check works on the characters of
/// the value without allocating, since it runs for every field of every record.
/// </summary>
public static class FieldRules
{
    /// <param name="maxLength">The field's maximum length after the policy's overrides, worked out once per file.</param>
    public static void Check(FieldSpec field, int? maxLength, string value, int line, string kind, ValidationPolicy policy, DefectList defects)
    {
        if (value.Length == 0)
        {
            if (field.Requirement == Requirement.Required)
                defects.Field(RuleLevel.Error, "field.required", field, line, value, "必須項目が空です。", "This required field is empty.");
            else if (field.Requirement == Requirement.Uncertain)
                defects.Field(policy.UncertainRequired, "field.required-uncertain", field, line, value,
                    "空です。標準仕様では必須と読める項目です。", "Empty; the standard most likely requires this field.");
            return;
        }

        if (maxLength is { } limit && value.Length > limit && field.Format is not (FieldFormat.Date or FieldFormat.YearMonth))
        {
            defects.Field(RuleLevel.Error, "field.length", field, line, value,
                $"{limit}文字以内で指定してください（{value.Length}文字）。", $"At most {limit} characters allowed ({value.Length} given).");
            return;
        }

        switch (field.Format)
        {
            case FieldFormat.Date:
                if (!IsDate(value) && !(value == "00000000" && field.EnName == "planCreatedOrChangedDate" && kind == "supplement"))
                    defects.Field(RuleLevel.Error, "field.date", field, line, value, "実在する日付（YYYYMMDD）ではありません。", "Not a real date (YYYYMMDD).");
                break;
            case FieldFormat.YearMonth:
                if (!IsYearMonth(value) && !(value == "000000" && field.EnName == "targetYearMonth" && kind == "supplement"))
                    defects.Field(RuleLevel.Error, "field.year-month", field, line, value, "実在する年月（YYYYMM）ではありません。", "Not a real month (YYYYMM).");
                break;
            case FieldFormat.Time:
                if (!IsTime(value))
                    defects.Field(RuleLevel.Error, "field.time", field, line, value, "時刻（HHMM）ではありません。", "Not a time (HHMM).");
                break;
            case FieldFormat.TimeOr9999:
                if (value != "9999" && !IsTime(value))
                    defects.Field(RuleLevel.Error, "field.time", field, line, value,
                        "時刻（HHMM、時刻のないサービスは9999）ではありません。", "Not a time (HHMM, or 9999 for services without a time).");
                break;
            case FieldFormat.Digits:
                if (!AllDigits(value))
                    defects.Field(RuleLevel.Error, "field.digits", field, line, value, "数字のみで指定してください。", "Digits only.");
                break;
            case FieldFormat.Integer:
                if (!IsInteger(value))
                    defects.Field(RuleLevel.Error, "field.integer", field, line, value, "整数ではありません。", "Not an integer.");
                break;
            case FieldFormat.NumberOneToNinetyNine:
                if (!AllDigits(value) || value.Length > 2 || value is "0" or "00")
                    defects.Field(RuleLevel.Error, "field.range", field, line, value, "1～99の数字で指定してください。", "A number from 1 to 99.");
                break;
            case FieldFormat.Decimal99:
                if (!IsDecimal99(value))
                    defects.Field(RuleLevel.Error, "field.decimal", field, line, value, "99.99の形式で指定してください。", "Write it as 99.99.");
                break;
            case FieldFormat.OfficeNumber:
                if (value.Length != 10 || !AllDigits(value))
                    defects.Field(RuleLevel.Error, "office-number.format", field, line, value, "事業所番号は10桁の数字です。", "An office number is 10 digits.");
                break;
            case FieldFormat.InsurerNumber:
                if (value.Length != 6 || !AllDigits(value))
                    defects.Field(RuleLevel.Error, "insurer-number.format", field, line, value, "保険者番号は6桁の数字です。", "An insurer number is 6 digits.");
                else if (!InsurerCheckDigitHolds(value))
                    defects.Field(policy.InsurerCheckDigit, "insurer-number.check-digit", field, line, value,
                        "検証番号（医療保険の設定要領による）が一致しません。入力誤りがないか確認してください。",
                        "The check digit (by the health-insurance rule; the care standard states none) does not match; please check the number.");
                break;
            case FieldFormat.InsuredNumber:
                if (!IsInsuredNumber(value))
                    defects.Field(RuleLevel.Error, "insured-number.format", field, line, value,
                        "被保険者番号は10桁の数字、または生活保護単独の場合H＋9桁の数字です。",
                        "An insured number is 10 digits, or H and 9 digits for public-assistance-only recipients.");
                break;
            case FieldFormat.Alphanumeric:
                if (!AllAlphanumeric(value))
                    defects.Field(RuleLevel.Error, "field.alphanumeric", field, line, value, "半角英数字で指定してください。", "Half-width letters and digits only.");
                break;
            case FieldFormat.Code:
                if (field.Codes is { } codes && !codes.Contains(value))
                    defects.Field(RuleLevel.Error, "field.code", field, line, value,
                        $"コード表にない値です（{string.Join("/", codes)}）。", $"Not in the code list ({string.Join("/", codes)}).");
                break;
            case FieldFormat.ServiceType:
                CheckServiceType(field, value, line, defects);
                break;
            case FieldFormat.ServiceCode:
                if (value.Length != 6 || !AllAlphanumeric(value))
                    defects.Field(RuleLevel.Error, "service-code.format", field, line, value,
                        "サービスコードはサービス種類コード2桁＋サービス項目コード4桁の6文字です。", "A service code is 6 characters: service type (2) and item (4).");
                else if (kind != "table7" && IsTable7Subtotal(value))
                    defects.Field(RuleLevel.Error, "service-code.format", field, line, value,
                        "小計・合計のコード（AAAA/EEEE/ZZZZ/999999）は第7表にだけ使えます。",
                        "Subtotal and grand-total codes (AAAA/EEEE/ZZZZ/999999) belong to 第7表 only.");
                // The grand total names no service type; a subtotal names its type like any code.
                else if (value != "999999")
                    CheckServiceType(field, value[..2], line, defects);
                break;
            case FieldFormat.DayFlags:
                if (value.Length != 31 || value.AsSpan().ContainsAnyExcept('0', '1'))
                    defects.Field(RuleLevel.Error, "day-flags.format", field, line, value,
                        "日割対象日は0と1だけの31文字です。", "The per-day flags are exactly 31 characters of 0 and 1.");
                break;
            case FieldFormat.PostalCode:
                if (!IsPostalCode(value))
                    defects.Field(RuleLevel.Error, "field.postal-code", field, line, value, "郵便番号はXXX-XXXXの形式です。", "A postal code is written XXX-XXXX.");
                break;
            case FieldFormat.Unused:
                defects.Field(RuleLevel.Warning, "field.unused", field, line, value, "使用しない項目に値があります。", "This field is not used by the standard but holds a value.");
                break;
        }
    }

    static void CheckServiceType(FieldSpec field, string type, int line, DefectList defects)
    {
        if (FileLayouts.ServiceTypesInScope.Contains(type))
            return;
        if (FileLayouts.ServiceTypesOutOfScope.Contains(type))
            defects.Field(RuleLevel.Error, "service-type.out-of-scope", field, line, type,
                $"サービス種類{type}はケアプランデータ連携の対象外です。", $"Service type {type} is outside the scope of the standard.");
        else
            defects.Field(RuleLevel.Error, "service-type.unknown", field, line, type,
                $"サービス種類コード{type}は存在しません。", $"{type} is not a service type code.");
    }

    /// <summary>第7表 subtotal codes: the service type followed by AAAA, EEEE or ZZZZ; the grand total 999999.</summary>
    public static bool IsTable7Subtotal(string code) =>
        code.Length == 6 && (code == "999999" || code.EndsWith("AAAA", StringComparison.Ordinal) || code.EndsWith("EEEE", StringComparison.Ordinal) || code.EndsWith("ZZZZ", StringComparison.Ordinal));

    public static bool AllDigits(ReadOnlySpan<char> value) => value.Length > 0 && !value.ContainsAnyExceptInRange('0', '9');

    static bool AllAlphanumeric(string value)
    {
        foreach (var c in value)
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        return true;
    }

    static bool IsInteger(string value) => AllDigits(value.StartsWith('-') ? value.AsSpan(1) : value);

    static bool IsDecimal99(string value) =>
        value.Length is >= 4 and <= 5 && value[^3] == '.' && AllDigits(value.AsSpan(0, value.Length - 3)) && AllDigits(value.AsSpan(value.Length - 2));

    static bool IsPostalCode(string value) => value.Length == 8 && value[3] == '-' && AllDigits(value.AsSpan(0, 3)) && AllDigits(value.AsSpan(4));

    static bool IsInsuredNumber(string value) =>
        value.Length == 10 && (AllDigits(value) || (value[0] == 'H' && AllDigits(value.AsSpan(1))));

    public static bool IsDate(ReadOnlySpan<char> value) =>
        value.Length == 8 && IsYearMonth(value[..6]) && Number(value[6..]) is var day && day >= 1 && day <= DateTime.DaysInMonth(Number(value[..4]), Number(value[4..6]));

    public static bool IsYearMonth(ReadOnlySpan<char> value) =>
        value.Length == 6 && AllDigits(value) && Number(value[4..]) is >= 1 and <= 12 && Number(value[..4]) >= 1;

    static int Number(ReadOnlySpan<char> digits)
    {
        var number = 0;
        foreach (var c in digits)
            number = number * 10 + (c - '0');
        return number;
    }

    static bool IsTime(string value) =>
        value.Length == 4 && AllDigits(value) && (value[0] - '0') * 10 + (value[1] - '0') < 24 && value[2] < '6';

    /// <summary>The 医療保険 保険者番号 rule (spec README §5, [M]): weights 2,1,2,… from the right of the first five digits.</summary>
    public static bool InsurerCheckDigitHolds(ReadOnlySpan<char> insurer)
    {
        var sum = 0;
        for (var i = 0; i < 5; i++)
        {
            var product = (insurer[4 - i] - '0') * (i % 2 == 0 ? 2 : 1);
            sum += product / 10 + product % 10;
        }
        return (10 - sum % 10) % 10 == insurer[5] - '0';
    }
}
