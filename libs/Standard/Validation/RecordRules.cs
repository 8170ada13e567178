namespace CarePlanMesh.Standard;

/// <summary>
/// Record- and file-level rules of one file kind (issue #3 §4): month of every record, service dates inside it,
/// 福祉用具 identifiers, direction sanity, the CSV version, and 第7表 totals. Field positions are looked up once
/// by their layouts.json names.
/// </summary>
public sealed class RecordRules
{
    readonly FileLayout _layout;
    readonly StandardFileName _name;
    readonly ValidationPolicy _policy;
    readonly DefectList _defects;
    readonly int _csvVersion, _insurer, _insured, _month, _planDate, _serviceDate, _serviceCode, _tais, _notified, _discriminator,
        _updater, _provider, _units, _discountRate, _discountedUnits;
    readonly Table7Totals? _table7;
    string? _version;
    int _versionLine;
    string? _recordMonth;
    string? _lastInsurer, _lastInsured;

    public RecordRules(StandardFileName name, ValidationPolicy policy, DefectList defects)
    {
        _layout = name.Layout;
        _name = name;
        _policy = policy;
        _defects = defects;
        _csvVersion = _layout.IndexOf("csvVersion");
        _insurer = _layout.IndexOf("insurerNumber");
        _insured = _layout.IndexOf("insuredNumber");
        _month = _layout.Kind is "plan6Delete" or "actual6Delete" ? _layout.IndexOf("deleteYearMonth") : _layout.IndexOf("targetYearMonth");
        _planDate = _layout.IndexOf("planCreatedOrChangedDate") is >= 0 and var p ? p : _layout.IndexOf("consultationDate");
        _serviceDate = _layout.IndexOf("serviceDate");
        _serviceCode = _layout.IndexOf("serviceCode");
        _tais = _layout.IndexOf("taisCode");
        _notified = _layout.IndexOf("equipmentNotifiedCode");
        _discriminator = _layout.IndexOf("detailDiscriminator");
        _updater = _layout.IndexOf("updaterOfficeCode");
        _provider = _layout.IndexOf("providerOfficeNumber");
        _units = _layout.IndexOf("units");
        _discountRate = _layout.IndexOf("discountRate");
        _discountedUnits = _layout.IndexOf("discountedUnits");
        if (_layout.Kind == "table7")
            _table7 = new Table7Totals(defects);
    }

    /// <summary>Users of the file (保険者番号|被保険者番号), for the send unit's key checks.</summary>
    public HashSet<string> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>Plan keys of the file (保険者番号|被保険者番号|計画作成日 or 相談日), for the send unit's key checks.</summary>
    public HashSet<string> PlanKeys { get; } = new(StringComparer.Ordinal);

    public void Check(string[] fields, int line)
    {
        CheckVersion(fields[_csvVersion], line);
        CollectKeys(fields);

        if (_month >= 0 && _name.Month is { } nameMonth)
        {
            var month = fields[_month];
            _recordMonth ??= month;
            if (month.Length > 0 && month != nameMonth)
                _defects.Field(RuleLevel.Error, "record.month", _layout.Fields[_month], line, month,
                    $"ファイル名の年月{nameMonth}と一致しません（1ファイル1か月）。", $"Does not match the month {nameMonth} in the file name (one month per file).");
        }
        if (_layout.Kind == "supplement")
            CheckSupplementKeys(fields, line);
        if (_serviceDate >= 0 && _name.Month is { } serviceMonth && fields[_serviceDate] is { Length: 8 } date && !date.StartsWith(serviceMonth, StringComparison.Ordinal))
            _defects.Field(RuleLevel.Error, "record.service-date-month", _layout.Fields[_serviceDate], line, date,
                $"サービス利用日が対象年月{serviceMonth}の日付ではありません。", $"The service date is not in the service month {serviceMonth}.");
        if (_serviceCode >= 0)
            CheckEquipment(fields, line);
        CheckDirection(fields, line);
        _table7?.Add(fields, line, _insurer, _insured, _provider, _serviceCode, _units, _discountRate, _discountedUnits, _layout);
    }

    /// <summary>File-level rules, after the last record.</summary>
    public void Complete()
    {
        if (_version is not null)
            CheckVersionValue(_version, _versionLine);
        _table7?.Complete();
    }

    void CheckVersion(string version, int line)
    {
        // An empty version is a field defect of its own; the file's version is the first one given.
        if (version.Length == 0)
            return;
        if (_version is null)
        {
            _version = version;
            _versionLine = line;
        }
        else if (version != _version)
            _defects.Field(RuleLevel.Error, "csv-version.mixed", _layout.Fields[_csvVersion], line, version,
                $"{_versionLine}行目のCSVバージョン{_version}と異なります。1ファイルに複数のバージョンを混在できません。",
                $"Differs from the CSV version {_version} on line {_versionLine}; one file holds one version.");
    }

    void CheckVersionValue(string version, int line)
    {
        var field = _layout.Fields[_csvVersion];
        if (!FieldRules.IsYearMonth(version))
            return; // already reported as a field defect
        var known = FileLayouts.CsvVersions.Any(v => v.Value == version) || _policy.ExtraCsvVersions.Contains(version);
        if (!known)
        {
            _defects.Field(RuleLevel.Error, "csv-version.unknown", field, line, version,
                $"標準仕様にないCSVバージョンです（{string.Join("/", FileLayouts.CsvVersions.Select(v => v.Value).Distinct())}）。",
                $"Not a CSV version value of the standard ({string.Join("/", FileLayouts.CsvVersions.Select(v => v.Value).Distinct())}).");
            return;
        }
        var month = _name.Month is { } m && m != "000000" ? m : _recordMonth is { Length: 6 } r && r != "000000" ? r : null;
        if (month is null || _policy.ExtraCsvVersions.Contains(version))
            return;
        var inForce = InForce(month);
        if (inForce.Count > 0 && !inForce.Contains(version))
            _defects.Field(_policy.CsvVersionNotInForce, "csv-version.month", field, line, version,
                $"サービス提供月{month}に適用されるCSVバージョンは{string.Join("/", inForce)}です。",
                $"The CSV version in force for service month {month} is {string.Join("/", inForce)}.");
    }

    /// <summary>The version values that apply to a service month: those of the latest table row starting on or before it.</summary>
    public static IReadOnlyList<string> InForce(string month)
    {
        var from = FileLayouts.CsvVersions.Where(v => string.CompareOrdinal(v.AppliesFromMonth, month) <= 0).Select(v => v.AppliesFromMonth).DefaultIfEmpty().Max();
        return from is null ? [] : [.. FileLayouts.CsvVersions.Where(v => v.AppliesFromMonth == from).Select(v => v.Value).Distinct()];
    }

    void CollectKeys(string[] fields)
    {
        if (_insurer < 0 || _insured < 0)
            return;
        var insurer = fields[_insurer];
        var insured = fields[_insured];
        // Records of one user come together; skip the set lookups while the user does not change.
        if (_planDate < 0 && insurer == _lastInsurer && insured == _lastInsured)
            return;
        (_lastInsurer, _lastInsured) = (insurer, insured);
        var user = string.Concat(insurer, "|", insured);
        Users.Add(user);
        if (_planDate >= 0 && fields[_planDate] is { Length: > 0 } planDate && planDate != "00000000")
            PlanKeys.Add(string.Concat(user, "|", planDate));
    }

    void CheckSupplementKeys(string[] fields, int line)
    {
        // 補足 of a 6表/7表 send unit carries 対象年月 and plan date 00000000; of a plan send unit, 000000 and the plan date.
        var planDate = fields[_planDate];
        var monthly = _name.Month is not null and not "000000";
        if (monthly && planDate.Length > 0 && planDate != "00000000")
            _defects.Field(RuleLevel.Error, "supplement.plan-date", _layout.Fields[_planDate], line, planDate,
                "第6表・第7表と送る利用者補足情報では00000000を設定します。", "In a 第6表/第7表 send unit the plan date is 00000000.");
        if (!monthly && planDate == "00000000")
            _defects.Field(RuleLevel.Error, "supplement.plan-date", _layout.Fields[_planDate], line, planDate,
                "居宅サービス計画と送る利用者補足情報には計画作成（変更）日が必要です。", "In a plan send unit the plan date must be given.");
    }

    void CheckEquipment(string[] fields, int line)
    {
        var code = fields[_serviceCode];
        if (code.Length != 6 || FieldRules.IsTable7Subtotal(code))
            return;
        var type = code.AsSpan(0, 2);
        var equipment = type is "17" or "67";
        if (equipment && _tais >= 0 && fields[_tais].Length == 0 && fields[_notified].Length == 0)
            _defects.Field(RuleLevel.Error, "equipment.code-missing", _layout.Fields[_tais], line, "",
                "福祉用具貸与（17/67）の行にはTAISコードか福祉用具届出コードが必要です。",
                "A welfare-equipment rental row (17/67) needs a TAIS code or a notified equipment code.");
        if (!equipment && _discriminator >= 0 && fields[_discriminator].Length > 0)
            _defects.Field(RuleLevel.Error, "equipment.discriminator", _layout.Fields[_discriminator], line, fields[_discriminator],
                "明細判別コードは福祉用具貸与（17/67）の行にのみ設定します。", "The detail discriminator is set only on welfare-equipment rental rows (17/67).");
    }

    void CheckDirection(string[] fields, int line)
    {
        var sender = _name.SenderOffice;
        // 予定: 更新業者コード is the care manager's office; 実績: the provider is the sender in both Nos.20 and 24.
        if (_layout.Kind is "plan6" or "actual6" && fields[_updater] is { Length: > 0 } updater && updater != sender)
            _defects.Field(RuleLevel.Error, "direction.updater", _layout.Fields[_updater], line, updater,
                $"更新業者コードが送信元事業所{sender}と一致しません。", $"The updating office is not the sending office {sender}.");
        if (_layout.Kind is "actual6" or "actual6Delete" && fields[_provider] is { Length: > 0 } provider && provider != sender)
            _defects.Field(RuleLevel.Error, "direction.provider", _layout.Fields[_provider], line, provider,
                $"実績のサービス事業者コードは送信元事業所{sender}です。", $"In actuals the provider office is the sending office {sender}.");
    }
}
