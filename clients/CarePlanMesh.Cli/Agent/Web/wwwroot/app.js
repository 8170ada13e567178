// The office agent's page: plain script, no build step. Every call goes to this agent's /api on 127.0.0.1, which calls the relay.
'use strict';

const texts = {
  ja: {
    'title': 'CarePlanMesh 送受信エージェント', 'skip': '本文へ移動', 'nav': '目次', 'refresh': '更新', 'langButton': 'English', 'langLabel': 'Switch to English',
    'office': '事業所番号 {0}（中継: {1}）',
    'status.connected': '中継に接続中', 'status.disconnected': '中継に接続できません', 'status.signedIn': 'サインイン済み', 'status.signedOut': 'サインインできていません',
    'status.relay': '信頼する中継の署名用証明書: {0}', 'status.relayUntil': '{0}まで',
    'send.heading': 'ファイルを送る', 'send.help': '介護ソフトが書き出した1つの送信単位のファイルをここにドロップするか、選んでください。送る前に中継で点検（ドライラン）し、結果を表示します。',
    'send.drop': 'ここにファイルをドロップ、またはクリックしてファイルを選ぶ', 'send.defects': '不備の一覧', 'send.button': '送信フォルダに入れて送る',
    'send.checking': '{0} 個のファイルを点検しています…', 'send.valid': '点検の結果、不備はありません（{0} ファイル）。「送信フォルダに入れて送る」で送ります。',
    'send.invalid': '不備が {0} 件あります。直してから、もう一度ドロップしてください。', 'send.warnings': '注意が {0} 件あります（送ることはできます）。',
    'send.placed': '連番 {0} のファイルを送信フォルダに入れました。まもなく送信され、「送信済み」に表示されます。',
    'sent.heading': '送信済み', 'sent.caption': '送った送信単位（新しい順）', 'sent.none': 'まだ送信していません。', 'sent.local': '送信前に止まった送信単位',
    'sent.timeline': '経過', 'sent.receipts': '受領証（中継の署名付き）', 'sent.folder': '保存先フォルダ', 'sent.noReceipts': '受領証はまだありません。', 'sent.report': '報告',
    'received.heading': '受信', 'received.caption': '届いた送信単位と取り込みの状況', 'received.none': 'まだ届いていません。', 'received.download': 'ダウンロード', 'received.folder': 'フォルダ: {0}',
    'received.waiting': '連番 {0} を待っています',
    'reconcile.heading': '予定と実績の突合', 'reconcile.month': '対象年月', 'reconcile.show': '表示', 'reconcile.caption': '事業所ごとの突合結果',
    'reconcile.none': 'この月の突合結果はまだありません。', 'reconcile.detail': '差異の詳細（氏名はこのパソコンのファイルから表示）', 'reconcile.open': '詳細を開く',
    'reconcile.notReady': '準備中', 'reconcile.overLimit': '区分支給限度を超える利用者',
    'partners.heading': '連携先', 'partners.search': '事業所を探す（名前・事業所番号）', 'partners.find': '検索', 'partners.results': '検索結果', 'partners.caption': '連携の一覧',
    'partners.request': '連携を依頼', 'partners.none': '連携先はまだありません。', 'partners.requested': '連携を依頼しました。', 'partners.done': '操作しました。', 'partners.noResults': '見つかりませんでした。',
    'notices.heading': 'お知らせ', 'notices.none': 'お知らせはありません。', 'notices.read': '既読にする', 'notices.unread': '未読',
    'col.file': 'ファイル', 'col.line': '行', 'col.field': '項目', 'col.severity': '重要度', 'col.message': '内容', 'col.sendUnit': '連番', 'col.recipient': '送信先',
    'col.kinds': '種類', 'col.state': '状態', 'col.updated': '更新日時', 'col.detail': '詳細', 'col.sender': '送信元', 'col.month': '対象年月', 'col.import': '取り込み',
    'col.open': '開く', 'col.provider': 'サービス事業所', 'col.compared': '突合した利用者', 'col.matched': '一致', 'col.differences': '差異あり', 'col.overLimit': '限度超過',
    'col.officeNumber': '事業所番号', 'col.name': '名称', 'col.serviceTypes': 'サービス種類', 'col.action': '操作', 'col.partner': '相手', 'col.user': '利用者',
    'col.kind': '差異', 'col.date': '日付', 'col.planCode': '予定のサービスコード', 'col.actualCode': '実績のサービスコード', 'col.planLine': '予定の行', 'col.actualLine': '実績の行',
    'col.overUnits': '超過単位数', 'col.at': '日時',
    'severity.error': 'エラー', 'severity.warning': '注意', 'detail.show': '詳細', 'detail.close': '閉じる',
    'state.Received': '受付', 'state.Validating': '点検中', 'state.Sealing': '封緘中', 'state.Routing': '配送中', 'state.AwaitingPickup': '受け取り待ち',
    'state.Acknowledged': '受領済み', 'state.Rejected': '不備あり', 'state.Failed': '失敗', 'state.Expired': '期限切れ', 'state.Withdrawn': '取り下げ',
    'state.awaiting': '受け取り待ち', 'state.acknowledged': '受領済み', 'state.expired': '期限切れ',
    'state.sending': '送信中', 'state.failing': '送信できず', 'state.failed': '送信できず',
    'state.known': '未取得', 'state.downloaded': 'ダウンロード済み', 'state.importing': '取り込み中', 'state.imported': '取り込み済み（受領確認待ち）', 'state.receipted': '受領済み（受領証を保存）', 'state.refused': '開けないため拒否',
    'state.pending': '承認待ち', 'state.active': '連携中', 'state.declined': '辞退', 'state.suspended': '一時停止', 'state.ended': '終了', 'state.invited': '招待中',
    'state.notImported': '未取り込み',
    'action.approve': '承認', 'action.decline': '辞退', 'action.suspend': '一時停止', 'action.end': '終了',
    'diff.notDelivered': '予定あり・実績なし', 'diff.notPlanned': '実績あり・予定なし', 'diff.differentServiceCode': 'サービスコードが違う',
    'diff.differentTimesOrUnits': '時刻または単位数が違う', 'diff.differentCounts': '回数が違う', 'diff.usersWithoutPlan': '予定のない利用者',
    'receipt.received': '受付', 'receipt.validated': '点検済み', 'receipt.acknowledged': '受領',
    'topic.delivery.available': '新しい送信単位が届きました', 'topic.delivery.withdrawn': '送信元が取り下げました', 'topic.submission.rejected': '送った送信単位に不備がありました',
    'topic.submission.failed': '送った送信単位を届けられませんでした', 'topic.submission.expired': '相手が期限までに受け取りませんでした', 'topic.submission.acknowledged': '相手が受領しました',
    'topic.send-unit.out-of-order': '連番の順番が前後しています', 'topic.partnership.requested': '連携の依頼が届きました', 'topic.partnership.approved': '連携が承認されました',
    'topic.partnership.declined': '連携が辞退されました', 'topic.partnership.suspended': '連携が一時停止されました', 'topic.partnership.ended': '連携が終了しました',
    'topic.certificate.expiring': '証明書の期限が近づいています', 'topic.delivery.pickup-reminder': '受け取っていない送信単位があります', 'topic.licence.expiring': 'ライセンスの期限が近づいています',
    'topic.licence.expired': 'ライセンスの期限が切れました', 'topic.reconciliation.ready': '突合の詳細ができました',
  },
  en: {
    'title': 'CarePlanMesh office agent', 'skip': 'Skip to content', 'nav': 'Contents', 'refresh': 'Refresh', 'langButton': '日本語', 'langLabel': '日本語に切り替える',
    'office': 'Office {0} (relay: {1})',
    'status.connected': 'Connected to the relay', 'status.disconnected': 'Cannot reach the relay', 'status.signedIn': 'Signed in', 'status.signedOut': 'Not signed in',
    'status.relay': 'Trusted relay signing certificates: {0}', 'status.relayUntil': 'until {0}',
    'send.heading': 'Send files', 'send.help': 'Drop the files of one send unit the care software exported, or choose them. The relay checks them (dry run) before anything is sent.',
    'send.drop': 'Drop files here, or click to choose files', 'send.defects': 'Defects', 'send.button': 'Place in the outbox and send',
    'send.checking': 'Checking {0} files…', 'send.valid': 'No defects ({0} files). "Place in the outbox and send" sends them.',
    'send.invalid': '{0} defects. Fix them and drop the files again.', 'send.warnings': '{0} warnings (the unit can still be sent).',
    'send.placed': 'The files of 連番 {0} are in the outbox; they are sent shortly and appear under "Sent".',
    'sent.heading': 'Sent', 'sent.caption': 'Units sent, newest first', 'sent.none': 'Nothing sent yet.', 'sent.local': 'Units stopped before sending',
    'sent.timeline': 'Timeline', 'sent.receipts': 'Receipts (signed by the relay)', 'sent.folder': 'Folder', 'sent.noReceipts': 'No receipts yet.', 'sent.report': 'Report',
    'received.heading': 'Received', 'received.caption': 'Units received and their import', 'received.none': 'Nothing received yet.', 'received.download': 'Download', 'received.folder': 'Folder: {0}',
    'received.waiting': 'waits for 連番 {0}',
    'reconcile.heading': 'Plan and actual reconciliation', 'reconcile.month': 'Service month', 'reconcile.show': 'Show', 'reconcile.caption': 'Results per provider',
    'reconcile.none': 'No reconciliation for this month yet.', 'reconcile.detail': 'Differences (names from the files on this PC)', 'reconcile.open': 'Open details',
    'reconcile.notReady': 'being prepared', 'reconcile.overLimit': 'Users over their limit',
    'partners.heading': 'Partners', 'partners.search': 'Find an office (name or office number)', 'partners.find': 'Search', 'partners.results': 'Results', 'partners.caption': 'Partnerships',
    'partners.request': 'Request partnership', 'partners.none': 'No partners yet.', 'partners.requested': 'Partnership requested.', 'partners.done': 'Done.', 'partners.noResults': 'No office found.',
    'notices.heading': 'Notifications', 'notices.none': 'No notifications.', 'notices.read': 'Mark as read', 'notices.unread': 'unread',
    'col.file': 'File', 'col.line': 'Line', 'col.field': 'Field', 'col.severity': 'Severity', 'col.message': 'Message', 'col.sendUnit': '連番', 'col.recipient': 'Recipient',
    'col.kinds': 'Kinds', 'col.state': 'State', 'col.updated': 'Updated', 'col.detail': 'Details', 'col.sender': 'Sender', 'col.month': 'Month', 'col.import': 'Import',
    'col.open': 'Open', 'col.provider': 'Provider', 'col.compared': 'Users compared', 'col.matched': 'Matched', 'col.differences': 'With differences', 'col.overLimit': 'Over limit',
    'col.officeNumber': 'Office number', 'col.name': 'Name', 'col.serviceTypes': 'Service types', 'col.action': 'Action', 'col.partner': 'Partner', 'col.user': 'User',
    'col.kind': 'Difference', 'col.date': 'Date', 'col.planCode': 'Planned service code', 'col.actualCode': 'Delivered service code', 'col.planLine': 'Plan line', 'col.actualLine': 'Actual line',
    'col.overUnits': 'Units over', 'col.at': 'At',
    'severity.error': 'error', 'severity.warning': 'warning', 'detail.show': 'Details', 'detail.close': 'Close',
    'state.Received': 'Received', 'state.Validating': 'Validating', 'state.Sealing': 'Sealing', 'state.Routing': 'Routing', 'state.AwaitingPickup': 'Awaiting pickup',
    'state.Acknowledged': 'Acknowledged', 'state.Rejected': 'Rejected', 'state.Failed': 'Failed', 'state.Expired': 'Expired', 'state.Withdrawn': 'Withdrawn',
    'state.awaiting': 'Awaiting pickup', 'state.acknowledged': 'Acknowledged', 'state.expired': 'Expired',
    'state.sending': 'Sending', 'state.failing': 'Not sent', 'state.failed': 'Not sent',
    'state.known': 'Not fetched', 'state.downloaded': 'Downloaded', 'state.importing': 'Importing', 'state.imported': 'Imported (acknowledging)', 'state.receipted': 'Acknowledged (receipt saved)', 'state.refused': 'Refused (did not open)',
    'state.pending': 'Awaiting approval', 'state.active': 'Active', 'state.declined': 'Declined', 'state.suspended': 'Suspended', 'state.ended': 'Ended', 'state.invited': 'Invited',
    'state.notImported': 'Not imported',
    'action.approve': 'Approve', 'action.decline': 'Decline', 'action.suspend': 'Suspend', 'action.end': 'End',
    'diff.notDelivered': 'Planned, not delivered', 'diff.notPlanned': 'Delivered, not planned', 'diff.differentServiceCode': 'Different service code',
    'diff.differentTimesOrUnits': 'Different times or units', 'diff.differentCounts': 'Different counts', 'diff.usersWithoutPlan': 'User without a plan',
    'receipt.received': 'Received', 'receipt.validated': 'Validated', 'receipt.acknowledged': 'Acknowledged',
    'topic.delivery.available': 'A send unit arrived', 'topic.delivery.withdrawn': 'The sender withdrew a unit', 'topic.submission.rejected': 'A unit you sent has defects',
    'topic.submission.failed': 'A unit you sent could not be delivered', 'topic.submission.expired': 'The recipient did not pick a unit up in time', 'topic.submission.acknowledged': 'The recipient acknowledged a unit',
    'topic.send-unit.out-of-order': 'Units arrived out of 連番 order', 'topic.partnership.requested': 'A partnership was requested', 'topic.partnership.approved': 'A partnership was approved',
    'topic.partnership.declined': 'A partnership was declined', 'topic.partnership.suspended': 'A partnership was suspended', 'topic.partnership.ended': 'A partnership ended',
    'topic.certificate.expiring': 'The certificate expires soon', 'topic.delivery.pickup-reminder': 'A unit waits to be picked up', 'topic.licence.expiring': 'The licence expires soon',
    'topic.licence.expired': 'The licence expired', 'topic.reconciliation.ready': 'A reconciliation report is ready',
  },
};

let lang = localStorage.getItem('cpm-lang') === 'en' ? 'en' : 'ja';
let csrf = '';
let dropped = [];
const data = { status: null, dryrun: null, sent: null, received: null, reconciliations: null, report: null, directory: null, partnerships: null, notifications: null, detail: null };

const $ = id => document.getElementById(id);
function t(key, ...values) {
  const text = texts[lang][key] ?? texts.ja[key] ?? key;
  return values.reduce((s, v, i) => s.replace(`{${i}}`, v), text);
}
const stateText = state => texts[lang][`state.${state}`] ? t(`state.${state}`) : state;
const when = iso => iso ? new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB') : '';
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}
const fill = (node, ...children) => node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== ''));
const row = cells => el('tr', {}, cells.map(c => c instanceof Node ? el('td', {}, c) : el('td', { text: c ?? '' })));
const problemText = p => p ? `${lang === 'ja' ? (p.titleJa ?? p.title) : p.title}: ${lang === 'ja' ? (p.detailJa ?? p.detail) : p.detail}` : '';

class ApiError extends Error {
  constructor(status, problem) { super(problem?.title ?? `HTTP ${status}`); this.status = status; this.problem = problem; }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers ?? {}) };
  if (options.method && options.method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function showError(error) {
  $('error').textContent = error instanceof ApiError ? problemText(error.problem) || error.message : String(error);
}

// Static text, language switch.
function applyLanguage() {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  const button = $('lang');
  button.textContent = t('langButton');
  button.lang = lang === 'ja' ? 'en' : 'ja';
  button.setAttribute('aria-label', t('langLabel'));
  renderAll();
}

function renderAll() {
  renderStatus(); renderDryRun(); renderSent(); renderSentDetail(); renderReceived(); renderReconciliations(); renderReport();
  renderDirectory(); renderPartnerships(); renderNotifications();
}

// Connection, sign-in and expiry banners.
async function loadStatus() {
  try { data.status = await api('/api/status'); } catch (error) { showError(error); }
  renderStatus();
}
function renderStatus() {
  const s = data.status;
  if (!s) return;
  $('office').textContent = t('office', s.office, s.relay);
  const status = $('status');
  status.dataset.connected = s.connected; status.dataset.signedIn = s.signedIn;
  $('status-connection').textContent = s.connected ? t('status.connected') : t('status.disconnected');
  $('status-connection').className = s.connected ? 'ok' : 'bad';
  $('status-sign-in').textContent = s.signedIn ? t('status.signedIn') : t('status.signedOut');
  $('status-sign-in').className = s.signedIn ? 'ok' : 'bad';
  // Two during a renewal's overlap: the old and the new certificate (docs/operations.md).
  $('status-relay').textContent = t('status.relay', s.relayCertificates.map(c => t('status.relayUntil', c.notAfter)).join(', '));
  $('status-relay').title = s.relayCertificates.map(c => `${c.subject} ${c.serial}`).join('\n');
  $('banners').replaceChildren(...s.banners.map(b => el('p', { class: `banner ${b.level}`, 'data-kind': b.kind, role: b.level === 'error' ? 'alert' : null, text: b[lang] })));
}

// Drag & drop: dry run first, then the send button places the files in the outbox.
async function checkFiles(files) {
  dropped = [...files];
  data.dryrun = { checking: true };
  $('send-result').textContent = '';
  renderDryRun();
  const form = new FormData();
  for (const file of dropped) form.append('files', file, file.name);
  try {
    data.dryrun = { result: await api('/api/validate', { method: 'POST', body: form }) };
  } catch (error) {
    data.dryrun = { problem: error.problem ?? { title: String(error), titleJa: String(error) } };
  }
  renderDryRun();
}
function renderDryRun() {
  const d = data.dryrun;
  const table = $('defects');
  const body = table.querySelector('tbody');
  const button = $('send-button');
  if (!d) { table.classList.add('hidden'); button.disabled = true; return; }
  if (d.checking) { $('dryrun').textContent = t('send.checking', dropped.length); table.classList.add('hidden'); button.disabled = true; return; }
  const defects = d.result?.defects ?? d.problem?.errors ?? [];
  const errors = d.result ? d.result.errorCount : defects.filter(x => x.severity !== 'warning').length;
  const warnings = defects.filter(x => x.severity === 'warning').length;
  const lines = [];
  if (d.problem) lines.push(problemText(d.problem));
  else if (errors === 0) lines.push(t('send.valid', dropped.length));
  if (errors > 0) lines.push(t('send.invalid', errors));
  if (warnings > 0) lines.push(t('send.warnings', warnings));
  $('dryrun').replaceChildren(...lines.map(l => el('p', { class: errors > 0 || d.problem ? 'bad' : 'ok', text: l })));
  body.replaceChildren(...defects.map(x => {
    const r = row([x.file ?? '', x.line ?? '', x.field ?? '', t(`severity.${x.severity ?? 'error'}`), lang === 'ja' ? x.messageJa : x.messageEn]);
    r.className = 'defect';
    return r;
  }));
  table.classList.toggle('hidden', defects.length === 0);
  button.disabled = !d.result || errors > 0;
}
async function sendDropped() {
  const form = new FormData();
  for (const file of dropped) form.append('files', file, file.name);
  $('send-button').disabled = true;
  try {
    const placed = await api('/api/send', { method: 'POST', body: form });
    $('send-result').textContent = t('send.placed', placed.sendUnit);
    data.dryrun = null; dropped = [];
    renderDryRun();
    $('dryrun').textContent = '';
    setTimeout(loadSent, 2000);
  } catch (error) {
    $('send-result').textContent = problemText(error.problem) || String(error);
    $('send-button').disabled = false;
  }
}

// Sent units, each with its timeline and receipts.
async function loadSent() {
  try { data.sent = await api('/api/sent'); } catch (error) { showError(error); }
  renderSent();
}
function renderSent() {
  const body = $('sent-table').querySelector('tbody');
  const items = data.sent?.items ?? [];
  body.replaceChildren(...items.map(i => {
    const r = row([i.sendUnit, i.recipientOffice, (i.fileKinds ?? []).join(', '), stateText(i.state), when(i.lastTransitionAt ?? i.receivedAt),
      el('button', { type: 'button', 'aria-label': `${t('detail.show')} ${i.sendUnit}`, onclick: () => loadSentDetail(i.id), text: t('detail.show') })]);
    r.dataset.sendUnit = i.sendUnit; r.dataset.state = i.state;
    return r;
  }));
  if (data.sent && items.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: 6, text: t('sent.none') })));
  const local = data.sent?.local ?? [];
  fill($('sent-local'), ...(local.length === 0 ? [] : [el('h3', { text: t('sent.local') }), el('ul', {}, local.map(u =>
    el('li', { 'data-send-unit': u.sendUnit }, `${u.sendUnit} — ${stateText(u.state)}${u.folder ? ` — ${u.folder}` : ''}`,
      u.report ? el('details', {}, el('summary', { text: t('sent.report') }), el('pre', { text: u.report })) : null)))]));
}
async function loadSentDetail(id) {
  try { data.detail = await api(`/api/sent/${id}`); } catch (error) { showError(error); return; }
  renderSentDetail();
  $('sent-detail').focus();
}
function renderSentDetail() {
  const box = $('sent-detail');
  const d = data.detail;
  if (!d) { box.classList.add('hidden'); return; }
  const s = d.status;
  const receipts = d.receipts ?? [];
  fill(box,
    el('h3', { text: `${t('col.sendUnit')} ${s.sendUnit} → ${s.recipientOffice}: ${stateText(s.state)}` }),
    el('h4', { text: t('sent.timeline') }),
    el('ol', { class: 'timeline' }, (s.timeline ?? []).map(e => el('li', {}, el('strong', { text: stateText(e.state) }), ` ${when(e.at)}`))),
    s.failure ? el('p', { class: 'bad', text: lang === 'ja' ? s.failure.messageJa : s.failure.messageEn }) : null,
    (s.defects ?? []).length ? el('ul', {}, s.defects.map(x => el('li', { text: `${t(`severity.${x.severity ?? 'error'}`)} — ${x.file} ${x.line ?? ''} ${x.field ?? ''}: ${lang === 'ja' ? x.messageJa : x.messageEn}` }))) : null,
    el('h4', { text: t('sent.receipts') }),
    receipts.length ? el('ul', { class: 'receipts' }, receipts.map(r => el('li', { text: `${t(`receipt.${r.kind}`)} ${when(r.at)}` }))) : el('p', { text: t('sent.noReceipts') }),
    d.folder ? el('p', { text: `${t('sent.folder')}: ${d.folder}` }) : null,
    el('button', { type: 'button', onclick: () => { data.detail = null; renderSentDetail(); }, text: t('detail.close') }));
  box.classList.remove('hidden');
}

// Received units with their import state and a download of the imported files.
async function loadReceived() {
  try { data.received = await api('/api/received'); } catch (error) { showError(error); }
  renderReceived();
}
function renderReceived() {
  const body = $('received-table').querySelector('tbody');
  const items = data.received?.items ?? [];
  body.replaceChildren(...items.map(i => {
    const local = i.local?.state ?? 'notImported';
    const imported = local === 'imported' || local === 'acknowledged' || local === 'receipted';
    const state = stateText(i.state) + (i.waitingFor ? ` (${t('received.waiting', i.waitingFor.sendUnit)})` : '');
    const open = imported
      ? el('span', {}, el('a', { href: `/api/received/${i.id}/download`, download: '', text: t('received.download'), 'aria-label': `${t('received.download')} ${i.senderOffice} ${i.sendUnit}` }),
        i.local.folder ? el('span', { class: 'folder', text: ` ${t('received.folder', i.local.folder)}` }) : null)
      : '';
    const r = row([i.senderOffice, i.sendUnit, i.serviceMonth ?? '', state, stateText(local), open]);
    r.dataset.sendUnit = i.sendUnit; r.dataset.local = local;
    return r;
  }));
  if (data.received && items.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: 6, text: t('received.none') })));
}

// Reconciliation of a month: counts from the relay, the detail report opened here with names from local files.
async function loadReconciliations(event) {
  event?.preventDefault();
  const month = $('month').value.replace('-', '');
  if (!month) return;
  try { data.reconciliations = await api(`/api/reconciliations?serviceMonth=${encodeURIComponent(month)}`); } catch (error) { showError(error); }
  data.report = null;
  renderReconciliations(); renderReport();
}
function renderReconciliations() {
  const table = $('reconcile-table');
  const items = data.reconciliations?.items ?? [];
  table.classList.toggle('hidden', items.length === 0);
  $('reconcile-empty').textContent = data.reconciliations && items.length === 0 ? t('reconcile.none') : '';
  table.querySelector('tbody').replaceChildren(...items.map(i => row([i.providerOffice, i.usersCompared, i.usersMatched, i.usersWithDifferences, i.usersOverLimit,
    i.report?.ready ? el('button', { type: 'button', onclick: () => loadReport(i.actualSubmissionId), text: t('reconcile.open') }) : (i.report ? t('reconcile.notReady') : '')])));
}
async function loadReport(id) {
  try { data.report = await api(`/api/reconciliations/${id}/report`); } catch (error) { showError(error); return; }
  renderReport();
  $('reconcile-detail').focus();
}
function renderReport() {
  const box = $('reconcile-detail');
  const r = data.report;
  if (!r) { box.classList.add('hidden'); return; }
  const who = x => x.name ? `${x.name}${x.nameKana ? `（${x.nameKana}）` : ''}` : (x.user ? `${x.user.insurerNumber} / ${x.user.insuredNumber}` : '');
  fill(box,
    el('h3', { text: `${t('reconcile.detail')} — ${r.providerOffice} ${r.serviceMonth}` }),
    el('table', {}, el('thead', {}, el('tr', {}, ['col.user', 'col.kind', 'col.date', 'col.planCode', 'col.actualCode', 'col.planLine', 'col.actualLine'].map(k => el('th', { scope: 'col', text: t(k) })))),
      el('tbody', {}, (r.differences ?? []).map(d => row([who(d), t(`diff.${d.kind}`), d.serviceDate ?? '', d.planServiceCode ?? '', d.actualServiceCode ?? '', d.planLine ?? '', d.actualLine ?? ''])))),
    (r.overLimit ?? []).length ? el('h4', { text: t('reconcile.overLimit') }) : null,
    (r.overLimit ?? []).length ? el('ul', {}, r.overLimit.map(o => el('li', { text: `${who(o)}: ${t('col.overUnits')} ${o.overUnits}` }))) : null);
  box.classList.remove('hidden');
}

// Partners: directory search, request, approve and the other actions the relay offers.
async function searchDirectory(event) {
  event.preventDefault();
  try { data.directory = await api(`/api/directory?q=${encodeURIComponent($('directory-q').value)}`); } catch (error) { showError(error); }
  renderDirectory();
}
function renderDirectory() {
  const table = $('directory-table');
  if (!data.directory) return;
  const offices = data.directory.offices ?? [];
  table.classList.remove('hidden');
  table.querySelector('tbody').replaceChildren(...(offices.length === 0 ? [el('tr', {}, el('td', { colspan: 4, text: t('partners.noResults') }))] : offices.map(o => row([o.officeNumber, o.name, (o.serviceTypes ?? []).join(', '),
    el('button', { type: 'button', 'aria-label': `${t('partners.request')}: ${o.name}`, onclick: () => partnershipCall('/api/partnerships', { partnerOffice: o.officeNumber }, 'partners.requested'), text: t('partners.request') })]))));
}
async function partnershipCall(path, body, done) {
  try {
    await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    $('partners-result').textContent = t(done);
  } catch (error) {
    $('partners-result').textContent = problemText(error.problem) || String(error);
  }
  loadPartnerships();
}
async function loadPartnerships() {
  try { data.partnerships = await api('/api/partnerships'); } catch (error) { showError(error); }
  renderPartnerships();
}
function renderPartnerships() {
  const body = $('partnerships-table').querySelector('tbody');
  if (!data.partnerships) return;
  const office = data.status?.office;
  const items = data.partnerships.partnerships ?? [];
  body.replaceChildren(...(items.length === 0 ? [el('tr', {}, el('td', { colspan: 3, text: t('partners.none') }))] : items.map(p => {
    const partner = p.requesterOffice === office ? (p.partnerOffice ?? p.inviteEmail) : p.requesterOffice;
    return row([partner, stateText(p.state), el('span', {}, (p.actions ?? []).map(a =>
      el('button', { type: 'button', 'aria-label': `${t(`action.${a}`)}: ${partner}`, onclick: () => partnershipCall(`/api/partnerships/${p.id}/${a}`, null, 'partners.done'), text: t(`action.${a}`) })))]);
  })));
}

// Notifications.
async function loadNotifications() {
  try { data.notifications = await api('/api/notifications'); } catch (error) { showError(error); }
  renderNotifications();
}
function renderNotifications() {
  const list = $('notices-list');
  if (!data.notifications) return;
  const items = data.notifications.items ?? [];
  list.replaceChildren(...(items.length === 0 ? [el('li', { text: t('notices.none') })] : items.map(n => el('li', { class: n.readAt ? 'read' : 'unread' },
    el('strong', { text: texts[lang][`topic.${n.topic}`] ? t(`topic.${n.topic}`) : n.topic }), ` ${when(n.createdAt)} `,
    n.data?.sendUnit ? `${t('col.sendUnit')} ${n.data.sendUnit} ` : '',
    n.readAt ? null : el('span', { class: 'badge', text: t('notices.unread') }),
    n.readAt ? null : el('button', { type: 'button', onclick: async () => { try { await api(`/api/notifications/${n.id}/read`, { method: 'POST' }); } catch (error) { showError(error); } loadNotifications(); }, text: t('notices.read') })))));
}

async function start() {
  applyLanguage();
  try {
    csrf = (await api('/api/session')).csrfToken;
  } catch (error) { showError(error); return; }
  const drop = $('drop');
  drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files.length) checkFiles(e.dataTransfer.files); });
  $('files').addEventListener('change', e => { if (e.target.files.length) checkFiles(e.target.files); e.target.value = ''; });
  $('send-button').addEventListener('click', sendDropped);
  $('lang').addEventListener('click', () => { lang = lang === 'ja' ? 'en' : 'ja'; localStorage.setItem('cpm-lang', lang); applyLanguage(); });
  $('reconcile-form').addEventListener('submit', loadReconciliations);
  $('directory-form').addEventListener('submit', searchDirectory);
  for (const button of document.querySelectorAll('[data-refresh]')) button.addEventListener('click', () => (button.dataset.refresh === 'sent' ? loadSent : loadReceived)());
  const now = new Date();
  $('month').value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  await loadStatus();
  await Promise.all([loadSent(), loadReceived(), loadPartnerships(), loadNotifications()]);
  setInterval(loadStatus, 15000);
  setInterval(() => { if (!document.hidden) { loadSent(); loadReceived(); } }, 5000);
  setInterval(() => { if (!document.hidden) loadNotifications(); }, 30000);
}

document.addEventListener('DOMContentLoaded', start);
