namespace CarePlanMesh.Standard;

/// <summary>
/// Bundle-level rules (issue #3 §5, spec README §3): the files sharing a 連番 form a legal send unit, and their keys
/// tie up — 第7表 and 補足 users are the 第6表 users; 2表, 3表 and 補足(000000) rows belong to a 1表 row.
/// </summary>
public static class SendUnitRules
{
    /// <summary>A legal send unit: the kinds it must hold and the kinds it may hold besides.</summary>
    sealed record Shape(string Name, string[] Required, string[] Optional);

    static readonly Shape[] Shapes =
    [
        new("居宅サービス計画（第1・2・3表＋補足）", ["table1", "table2", "supplement"], ["table3"]),
        new("サービス利用票（第6表予定＋第7表＋補足）", ["plan6", "table7", "supplement"], []),
        new("第1表削除", ["table1Delete"], []),
        new("第6表予定削除", ["plan6Delete"], []),
        new("第6表実績", ["actual6"], []),
        new("第6表実績削除", ["actual6Delete"], []),
        new("利用者基本情報", ["yoboBasic", "yoboBasicSub1", "yoboBasicSub2"], ["yoboBasicImage"]),
        new("介護予防サービス・支援計画書＋利用者基本情報", ["yoboPlan", "yoboPlanSub", "yoboBasic", "yoboBasicSub1", "yoboBasicSub2"], ["yoboBasicImage"]),
        new("介護予防サービス・支援計画書", ["yoboPlan", "yoboPlanSub"], []),
        new("利用者基本情報削除", ["yoboBasicDelete"], []),
        new("介護予防サービス・支援計画書削除", ["yoboPlanDelete"], []),
    ];

    public static void Check(IReadOnlyList<FileReport> files, string? authenticatedOffice, ValidationPolicy policy, List<Defect> defects)
    {
        if (files.Count == 0)
        {
            defects.Add(Defect.Error("", "send-unit.empty", "送信単位にファイルがありません。", "The send unit holds no files."));
            return;
        }

        var named = files.Where(f => f.Name is not null).ToList();
        if (named.Count == 0)
            return;

        if (authenticatedOffice is not null)
            foreach (var file in named.Where(f => f.Name!.SenderOffice != authenticatedOffice))
                defects.Add(Defect.Error(file.File, "file-name.sender",
                    $"ファイル名の送信元{file.Name!.SenderOffice}が送信した事業所{authenticatedOffice}と一致しません。",
                    $"The sender {file.Name!.SenderOffice} in the file name is not the sending office {authenticatedOffice}."));

        CheckNames([.. named.Select(f => f.Name!)], defects);
        CheckShape(named, policy, defects);
        CheckKeys(named, defects);
    }

    /// <summary>
    /// The rules that need only the file names: one sender, recipient and 連番, one month, one file per kind. Intake
    /// applies them before it stores anything, since a submission is one send unit.
    /// </summary>
    public static void CheckNames(IReadOnlyList<StandardFileName> names, List<Defect> defects)
    {
        if (names.Count == 0)
            return;
        var first = names[0];
        foreach (var name in names.Skip(1).Where(n => n.SenderOffice != first.SenderOffice || n.RecipientOffice != first.RecipientOffice || n.SendUnit != first.SendUnit))
            defects.Add(Defect.Error(name.Name, "send-unit.mixed",
                $"送信元・送信先・ファイル連番が {first.Name} と一致しません。1回の送信は1つの送信単位です。",
                $"Sender, recipient or file serial differ from {first.Name}; one submission is one send unit."));

        var months = names.Select(n => n.Month).Where(m => m is not null and not "000000").Distinct().ToList();
        if (months.Count > 1)
            defects.Add(Defect.Error(first.Name, "send-unit.month",
                $"送信単位内でファイル名の年月が異なります（{string.Join("/", months)}）。",
                $"The files of the send unit name different months ({string.Join("/", months)})."));

        foreach (var group in names.GroupBy(n => n.Layout.Kind).Where(g => g.Count() > 1 && g.Key != "yoboBasicImage"))
            defects.Add(Defect.Error(group.Skip(1).First().Name, "send-unit.duplicate-kind",
                $"同じ種類のファイル（{group.First().Layout.JaName}）が{group.Count()}個あります。",
                $"The send unit holds {group.Count()} files of kind {group.Key}."));
    }

    static void CheckShape(List<FileReport> files, ValidationPolicy policy, List<Defect> defects)
    {
        var kinds = files.Select(f => f.Name!.Layout.Kind).ToHashSet();
        // The plan unit's 補足 carries 000000, the monthly unit's a month: the month tells the two 補足 apart.
        var supplementMonth = files.FirstOrDefault(f => f.Name!.Layout.Kind == "supplement")?.Name!.Month;
        var exact = Shapes.FirstOrDefault(s => s.Required.All(kinds.Contains) && kinds.All(k => s.Required.Contains(k) || s.Optional.Contains(k)));
        if (exact is not null)
        {
            if (exact.Required.Contains("table1") && supplementMonth is not null and not "000000")
                defects.Add(Defect.Error(files.First(f => f.Name!.Layout.Kind == "supplement").File, "send-unit.supplement-month",
                    "居宅サービス計画と送る利用者補足情報のファイル名の年月は000000です。", "The supplement of a plan send unit carries 000000 as its month."));
            if (exact.Required.Contains("plan6") && supplementMonth == "000000")
                defects.Add(Defect.Error(files.First(f => f.Name!.Layout.Kind == "supplement").File, "send-unit.supplement-month",
                    "第6表・第7表と送る利用者補足情報のファイル名には対象年月を入れます。", "The supplement of a 第6表/第7表 send unit carries the service month."));
            if (exact.Required.Contains("table1") && !kinds.Contains("table3") && files.Any(f => !f.Name!.IsLegacyV3) && policy.MissingTable3 != RuleLevel.Off)
                defects.Add(Defect.Of(policy.MissingTable3 == RuleLevel.Error ? Severity.Error : Severity.Warning, files[0].File, "send-unit.table3-missing",
                    "v4.x の居宅サービス計画の送信単位には第3表（UP3KYO）も含めます。", "A v4.x plan send unit also holds 第3表 (UP3KYO)."));
            return;
        }

        // The closest shape: the one sharing most kinds; name what is missing and what does not belong.
        var closest = Shapes.OrderByDescending(s => s.Required.Concat(s.Optional).Count(kinds.Contains)).ThenBy(s => s.Required.Length).First();
        var missing = closest.Required.Where(k => !kinds.Contains(k)).ToList();
        var extra = kinds.Where(k => !closest.Required.Contains(k) && !closest.Optional.Contains(k)).ToList();
        if (missing.Count > 0)
            defects.Add(Defect.Error(files[0].File, "send-unit.incomplete",
                $"送信単位「{closest.Name}」に必要なファイルがありません: {string.Join("、", missing.Select(Prefix))}。",
                $"The send unit ({closest.Name}) lacks: {string.Join(", ", missing.Select(Prefix))}."));
        foreach (var kind in extra)
            defects.Add(Defect.Error(files.First(f => f.Name!.Layout.Kind == kind).File, "send-unit.unexpected-file",
                $"このファイルは送信単位「{closest.Name}」に含められません。別の連番で送ってください。",
                $"This file does not belong in a send unit of {closest.Name}; send it under its own serial."));
    }

    static string Prefix(string kind) => FileLayouts.ByKind(kind)!.Prefix;

    static void CheckKeys(List<FileReport> files, List<Defect> defects)
    {
        FileReport? Of(string kind) => files.FirstOrDefault(f => f.Name!.Layout.Kind == kind && f.RecordCount > 0);

        if (Of("plan6") is { } plan6)
            foreach (var other in new[] { Of("table7"), Of("supplement") }.OfType<FileReport>())
            {
                var extra = other.Users.Count(u => !plan6.Users.Contains(u));
                var missing = plan6.Users.Count(u => !other.Users.Contains(u));
                if (extra > 0 || missing > 0)
                    defects.Add(Defect.Error(other.File, other.Name!.Layout.Kind == "table7" ? "keys.table7-user" : "keys.supplement-user",
                        $"第6表と利用者（保険者番号・被保険者番号）が一致しません: 第6表にない利用者{extra}人、この表にない第6表の利用者{missing}人。",
                        $"Users (insurer and insured numbers) differ from 第6表: {extra} not in 第6表, {missing} of 第6表 missing here."));
            }

        var parents = new (string Parent, string[] Children)[]
        {
            ("table1", ["table2", "table3", "supplement"]),
            ("yoboBasic", ["yoboBasicSub1", "yoboBasicSub2"]),
            ("yoboPlan", ["yoboPlanSub"]),
        };
        foreach (var (parentKind, children) in parents)
        {
            if (Of(parentKind) is not { } parent)
                continue;
            foreach (var child in children.Select(Of).OfType<FileReport>())
            {
                var orphans = child.PlanKeys.Count(k => !parent.PlanKeys.Contains(k));
                if (orphans > 0)
                    defects.Add(Defect.Error(child.File, "keys.plan-row",
                        $"{parent.Name!.Layout.JaName}に対応する行（保険者番号・被保険者番号・作成日）がない利用者が{orphans}件あります。",
                        $"{orphans} keys (insurer, insured, plan date) have no matching row in {parent.Name!.Layout.Kind}."));
            }
        }
    }
}
