namespace CarePlanMesh.Reconciliation;

/// <summary>
/// One 第6表 row as a fact: the user replaced by a keyed pseudonym, no name, no insured number, no free text.
/// <see cref="Line"/> is the row's line in its file, so the care office can find it in the file it holds.
/// </summary>
public sealed record ServiceFact(
    string UserKey,
    string ProviderOffice,
    string ServiceCode,
    string ServiceDate,
    string StartTime,
    string EndTime,
    int Units,
    int Count,
    int Line);

/// <summary>
/// A user's 区分支給限度 in a 予定 unit: 要介護状態区分 and 区分支給限度基準額 from 利用者補足, and the units the plan
/// counts against the limit (第7表 区分支給限度基準内 + 超える単位数 of the user's grand-total row).
/// </summary>
public sealed record UserLimit(string UserKey, string CareLevel, int LimitUnits, int SubjectUnits, int StatedExcessUnits, int Line)
{
    /// <summary>Units above the limit; 0 when within it or when no limit is given (e.g. 申請中).</summary>
    public int OverUnits => LimitUnits > 0 && SubjectUnits > LimitUnits ? SubjectUnits - LimitUnits : 0;
}

public static class FactKinds
{
    public const string Plan = "plan";
    public const string Actual = "actual";
    public const string PlanDelete = "planDelete";
    public const string ActualDelete = "actualDelete";
}

/// <summary>What a send unit contributes to reconciliation: its rows, its users' limits, or the users its delete withdraws.</summary>
public sealed record UnitFacts
{
    /// <summary>One of <see cref="FactKinds"/>.</summary>
    public string Kind { get; init; } = "";
    public string Month { get; init; } = "";
    public IReadOnlyList<ServiceFact> Services { get; init; } = [];
    public IReadOnlyList<UserLimit> Limits { get; init; } = [];
    /// <summary>Users withdrawn by a 予定削除 / 実績削除 unit.</summary>
    public IReadOnlyList<string> DeletedUsers { get; init; } = [];
}

/// <summary>Who a pseudonym stands for, known only where the plaintext is in hand (validation), never stored.</summary>
public sealed record UserIdentity(string InsurerNumber, string InsuredNumber);
