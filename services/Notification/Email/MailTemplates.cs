using System.Text;
using System.Text.Json.Nodes;
using CarePlanMesh.Notification.Notifications;

namespace CarePlanMesh.Notification.Email;

/// <summary>
/// Subject and body of each topic's e-mail: Japanese first, English below. Only what the data carries goes in (office
/// numbers and names, ids, states, counts, dates and links), never anything about a care recipient.
/// </summary>
public static class MailTemplates
{
    public static (string Subject, string Body) Render(string topic, JsonObject data, string officeName, string publicUrl)
    {
        var (ja, en) = Lines(topic, data);
        var link = data["links"]?["self"]?.GetValue<string>() is { } path ? $"{publicUrl.TrimEnd('/')}{path}" : null;
        var body = new StringBuilder();
        body.Append(officeName.Length > 0 ? $"{officeName} 御中\n\n" : "");
        body.Append(ja.Body).Append('\n');
        if (link is not null) body.Append($"\n詳細: {link}\n");
        body.Append("\nこのメールは CarePlanMesh から自動送信しています。通知の設定は GET/PUT /v1/notification-preferences で変更できます。\n");
        body.Append("\n---------------- English ----------------\n\n");
        body.Append(en.Body).Append('\n');
        if (link is not null) body.Append($"\nDetails: {link}\n");
        body.Append("\nSent automatically by CarePlanMesh. Choose which topics come by e-mail with GET/PUT /v1/notification-preferences.\n");
        return ($"[CarePlanMesh] {ja.Subject} / {en.Subject}", body.ToString());
    }

    /// <summary>An invitation to an office not yet on the mesh: who invites, what CarePlanMesh is, how to join.</summary>
    public static (string Subject, string Body) Invitation(string inviterOffice, string inviterName, string publicUrl)
    {
        var inviter = inviterName.Length > 0 ? $"{inviterName}（事業所番号 {inviterOffice}）" : $"事業所番号 {inviterOffice} の事業所";
        var inviterEn = inviterName.Length > 0 ? $"{inviterName} (office number {inviterOffice})" : $"The office with number {inviterOffice}";
        var body = $"""
            {inviter}から、CarePlanMesh でのケアプランデータ連携の招待が届いています。

            CarePlanMesh は、居宅介護支援事業所とサービス事業所がケアプランデータ連携標準仕様の CSV ファイル（居宅サービス計画書、サービス利用票・実績など）を
            FAX や郵送の代わりにオンラインでやり取りするための中継サービスです。ファイルは受取先の証明書で暗号化され、連携先として登録した事業所の間でのみ届けられます。

            参加するには、運営者に事業所の登録（事業所番号とクライアント証明書の発行）を申し込み、登録後に招待元の連携申請を承認してください。
            案内: {publicUrl.TrimEnd('/')}

            このメールには利用者の情報は含まれていません。心当たりがない場合は破棄してください。

            ---------------- English ----------------

            {inviterEn} invites your office to exchange care-plan data over CarePlanMesh.

            CarePlanMesh is a relay through which care managers and service providers exchange the standard care-plan CSV files
            (care plans, service usage and actual records) online instead of by FAX or post. Files are encrypted to the recipient's
            certificate and delivered only between offices registered as partners.

            To join, ask the operator to register your office (office number and client certificate), then approve the inviting
            office's partnership request.
            More: {publicUrl.TrimEnd('/')}

            This e-mail carries no information about any care recipient. If you did not expect it, please discard it.
            """;
        return ($"[CarePlanMesh] 連携のご招待 / Invitation to CarePlanMesh", body + "\n");
    }

    static ((string Subject, string Body) Ja, (string Subject, string Body) En) Lines(string topic, JsonObject data)
    {
        var submission = data["submissionId"]?.ToString() ?? "";
        var partner = data["counterpartOffice"]?.ToString() ?? "";
        return topic switch
        {
            Topics.DeliveryAvailable => (("新しいファイルが届きました", $"受取箱に新しい送信単位が届いています（ID {submission}）。受け取りと受領確認をお願いします。"),
                ("A new delivery is waiting", $"A new send unit is waiting in your mailbox (id {submission}). Please pick it up and acknowledge it.")),
            Topics.DeliveryPickupReminder => (("未受取のファイルがあります", $"送信単位 {submission} がまだ受け取られていません。受取期限 {data["deadline"]} を過ぎると失効します。"),
                ("A delivery is still waiting", $"Send unit {submission} has not been picked up yet; it expires after its deadline, {data["deadline"]}.")),
            Topics.SubmissionRejected => (("送信したファイルが差し戻されました",
                    $"送信単位 {submission} は標準仕様の検査で不備が見つかり、配信されませんでした（エラー {data["errorCount"] ?? 0} 件、警告 {data["warningCount"] ?? 0} 件）。"),
                ("Your submission was rejected",
                    $"Send unit {submission} did not pass the standard's checks and was not delivered ({data["errorCount"] ?? 0} errors, {data["warningCount"] ?? 0} warnings).")),
            Topics.SubmissionFailed => (("送信が完了しませんでした", $"送信単位 {submission} は処理中に失敗し、配信されませんでした。"),
                ("Your submission failed", $"Send unit {submission} failed during processing and was not delivered.")),
            Topics.SubmissionExpired => (("送信したファイルが期限切れになりました", $"送信単位 {submission} は受取期限までに受け取られませんでした。"),
                ("Your delivery expired", $"Send unit {submission} was not picked up before its deadline.")),
            Topics.SubmissionAcknowledged => (("送信したファイルが受領されました", $"送信単位 {submission} を受取先が受領確認しました。"),
                ("Your delivery was acknowledged", $"The recipient acknowledged send unit {submission}.")),
            Topics.DeliveryWithdrawn => (("送信が取り下げられました", $"送信単位 {submission} は送信元により取り下げられました。"),
                ("A delivery was withdrawn", $"The sender withdrew send unit {submission}.")),
            Topics.OutOfOrder => (("連番の順序が逆になっています", $"送信単位 {submission} は、同じ送信元からより大きい連番の送信単位が届いた後に届きました。取込順序にご注意ください。"),
                ("A send unit arrived out of order", $"Send unit {submission} arrived after a unit with a higher 連番 from the same sender; mind the import order.")),
            Topics.CertificateExpiring => (("証明書の有効期限が近づいています", $"事業所の証明書（拇印 {data["thumbprint"]}）はあと {data["daysLeft"]} 日（{data["notAfter"]}）で期限切れになります。更新してください。"),
                ("Your certificate expires soon", $"Your office's certificate (thumbprint {data["thumbprint"]}) expires in {data["daysLeft"]} days ({data["notAfter"]}). Please renew it.")),
            Topics.LicenceExpiring => (("利用ライセンスの期限が近づいています", $"事業所番号 {data["office"]} の利用ライセンス（{data["kind"]}）は {data["validTo"]} までです（あと {data["daysLeft"]} 日）。期限後はファイルを中継できません。更新してください。"),
                ("Your licence ends soon", $"The licence ({data["kind"]}) of office {data["office"]} ends on {data["validTo"]} ({data["daysLeft"]} days left). After that the relay cannot carry your files; please renew it.")),
            Topics.LicenceExpired => (("利用ライセンスの期限が切れました", $"事業所番号 {data["office"]} の利用ライセンス（{data["kind"]}）は {data["validTo"]} で終了しました。更新するまでファイルを中継できません。"),
                ("Your licence has ended", $"The licence ({data["kind"]}) of office {data["office"]} ended on {data["validTo"]}. The relay cannot carry your files until it is renewed.")),
            Topics.WebhookDisabled => (("Webhook を停止しました", $"Webhook {data["url"]} への配信が {data["failingSince"]} から失敗し続けたため停止しました。受信側を確認し、登録し直してください。"),
                ("Your webhook was disabled", $"Deliveries to webhook {data["url"]} kept failing since {data["failingSince"]}, so it was disabled. Please check the receiver and register it again.")),
            _ when topic.StartsWith("partnership.", StringComparison.Ordinal) => Partnership(topic["partnership.".Length..], partner),
            _ => ((topic, $"お知らせ: {topic}"), (topic, $"Notification: {topic}")),
        };
    }

    static ((string, string), (string, string)) Partnership(string state, string partner) => state switch
    {
        "requested" => (("連携の申請が届きました", $"事業所番号 {partner} から連携の申請が届いています。承認または辞退してください。"),
            ("A partnership request", $"Office {partner} asks to become a partner. Please approve or decline.")),
        "approved" => (("連携が承認されました", $"事業所番号 {partner} との連携が有効になりました。"), ("Partnership approved", $"The partnership with office {partner} is active.")),
        "declined" => (("連携が辞退されました", $"事業所番号 {partner} との連携申請は辞退されました。"), ("Partnership declined", $"The partnership request with office {partner} was declined.")),
        "suspended" => (("連携が一時停止されました", $"事業所番号 {partner} との連携が一時停止されました。"), ("Partnership suspended", $"The partnership with office {partner} was suspended.")),
        _ => (("連携が終了しました", $"事業所番号 {partner} との連携が終了しました。"), ("Partnership ended", $"The partnership with office {partner} ended.")),
    };
}
