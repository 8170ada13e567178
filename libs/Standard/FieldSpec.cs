using System.Text.Json;

namespace CarePlanMesh.Standard;

/// <summary>What a field holds, read from the 'type' column of layouts.json.</summary>
public enum FieldFormat
{
    Text,
    Digits,
    Integer,
    NumberOneToNinetyNine,
    Decimal99,
    YearMonth,
    Date,
    Time,
    TimeOr9999,
    OfficeNumber,
    InsurerNumber,
    InsuredNumber,
    Alphanumeric,
    Code,
    ServiceType,
    ServiceCode,
    DayFlags,
    PostalCode,
    Unused,
}

/// <summary>How sure the standard is that a field must be filled (layouts.json 'required').</summary>
public enum Requirement
{
    Optional,
    Required,
    /// <summary>The spec's ○ marks could not be attributed with certainty ("uncertain: probably true"); policy decides.</summary>
    Uncertain,
    /// <summary>Required under a condition the record rules check (e.g. TAIS code on 福祉用具 rows).</summary>
    Conditional,
}

/// <summary>One field of a layout: its No., names, format, maximum length, requirement and code list.</summary>
public sealed record FieldSpec(
    int No,
    string JaName,
    string EnName,
    FieldFormat Format,
    int? MaxLength,
    Requirement Requirement,
    IReadOnlySet<string>? Codes,
    bool IsPersonal)
{
    internal static FieldSpec Read(string kind, JsonElement field)
    {
        var enName = field.GetProperty("enName").GetString()!;
        var type = field.GetProperty("type").GetString()!;
        var format = FormatOf(type, enName);
        var required = field.GetProperty("required");
        var requirement = required.ValueKind switch
        {
            JsonValueKind.True => Requirement.Required,
            JsonValueKind.String when required.GetString()!.StartsWith("uncertain: probably true", StringComparison.Ordinal) => Requirement.Uncertain,
            JsonValueKind.String when required.GetString()!.StartsWith("conditional", StringComparison.Ordinal) => Requirement.Conditional,
            _ => Requirement.Optional,
        };
        var codes = field.GetProperty("codes");
        IReadOnlySet<string>? codeSet = format == FieldFormat.Code && codes.ValueKind == JsonValueKind.Object
            ? codes.EnumerateObject().Select(c => c.Name).ToHashSet(StringComparer.Ordinal)
            : null;
        int? length = field.GetProperty("length").ValueKind == JsonValueKind.Number ? field.GetProperty("length").GetInt32() : null;
        return new FieldSpec(
            field.GetProperty("no").GetInt32(),
            field.GetProperty("jaName").GetString()!,
            enName,
            format,
            length,
            requirement,
            codeSet,
            // An unused field has no meaning, so whatever a sender puts there may be personal.
            IsPersonal: format is FieldFormat.Text or FieldFormat.PostalCode or FieldFormat.InsuredNumber or FieldFormat.Unused
                || enName.Contains("birth", StringComparison.OrdinalIgnoreCase));
    }

    static FieldFormat FormatOf(string type, string enName) => type switch
    {
        "yearMonth YYYYMM" => FieldFormat.YearMonth,
        "date YYYYMMDD" => FieldFormat.Date,
        "time HHMM" => FieldFormat.Time,
        "time HHMM or 9999" => FieldFormat.TimeOr9999,
        "numeric (office number)" => FieldFormat.OfficeNumber,
        "numeric" when enName == "insurerNumber" => FieldFormat.InsurerNumber,
        "numeric" or "numeric (days)" => FieldFormat.Digits,
        "numeric (units)" or "integer" or "integer (days)" or "integer (yen)" or "integer (percent)" or "integer serial" => FieldFormat.Integer,
        "numeric 1-99" => FieldFormat.NumberOneToNinetyNine,
        "decimal 99.99" => FieldFormat.Decimal99,
        "alphanumeric" when enName == "insuredNumber" => FieldFormat.InsuredNumber,
        "alphanumeric" => FieldFormat.Alphanumeric,
        "code" => FieldFormat.Code,
        "code (service type, 2 chars)" or "code (2 chars)" => FieldFormat.ServiceType,
        "code (6 chars: service type 2 + item 4)" or "code (6 chars)" => FieldFormat.ServiceCode,
        "flags, 31 chars of 1/0" => FieldFormat.DayFlags,
        "text XXX-XXXX" => FieldFormat.PostalCode,
        "unused" => FieldFormat.Unused,
        _ => FieldFormat.Text,
    };

    /// <summary>The value as it may appear in a report: personal data keeps only its shape (9 for a digit, X for a letter, * otherwise).</summary>
    public string Show(string value)
    {
        if (!IsPersonal)
            return value.Length <= 40 ? value : value[..40] + "…";
        var shape = new char[Math.Min(value.Length, 40)];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = char.IsAsciiDigit(value[i]) ? '9' : char.IsAsciiLetter(value[i]) ? 'X' : '*';
        return new string(shape) + (value.Length > 40 ? "…" : "");
    }
}
