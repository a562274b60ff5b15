/* app.js: the behaviour of the edukiosk-editor page (plain JavaScript, no
 * framework, nothing loaded at run time; the server's CSP allows no inline
 * script and no eval).
 *
 * The draft feed is one JSON text (S.text).  The form edits a parsed copy
 * (S.doc) and writes the text back; the raw JSON tab edits the text itself.
 * Every change is checked by the server (POST /api/check: the kiosk's own
 * parser, English messages, translated here), saved after a short idle time
 * (PUT /api/draft with If-Match: a conflict is shown, never overwritten) and
 * drawn by the kiosk's renderer (POST /api/preview, one render in flight,
 * the big preview first, then the thumbnails).
 *
 * Sections: constants · i18n · utilities · API · document model · message
 * translation · check · save · render queue · slide list · forms · preview ·
 * JSON tab · history · publish · log-in · start.
 */
(function () {
'use strict';

/* ------------------------------------------------------------ constants */

/* Limits of the feed format (docs/feed.md). */
const TEXT_MAX_BYTES = 4096;
const TICKER_MAX_LINES = 64;
const TICKER_MAX_CHARS = 600;
const MAX_SLIDES = 500;
const MAX_ITEMS = 12;       /* list items, cards */
const MAX_MILESTONES = 8;
const DEFAULT_DURATION = 12;
const DEFAULT_THEME = {background: '#0b3d91', text: '#ffffff', accent: '#ffc629'};
const TYPES = ['title', 'list', 'cards', 'timeline', 'countdown', 'quote', 'image'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const THUMB_W = 480, THUMB_H = 270;

/* Suggested lengths, in characters: longer texts still work, but the kiosk
 * then draws them smaller and finally cuts them ("…").  The counters show
 * them (e.g. 标题 12/40); the hard limit is TEXT_MAX_BYTES. */
const SUGGEST = {
  title: 40, subtitle: 80, footer: 40, item: 60, heading: 20, card_text: 80,
  date: 20, label: 24, ms_text: 60, cd_label: 60, done_text: 40, quote: 120,
  source: 40, caption: 60, school: 40, ticker_line: 100, alert_title: 30,
  alert_text: 120, id: 40, site: 40
};

const LS_LANG = 'edukiosk-editor.lang';
const LS_SIZE = 'edukiosk-editor.preview-size';

/* ----------------------------------------------------------------- i18n */

/* Chinese first; English for those who prefer it.  {0}, {1} … are filled
 * in by t(). */
const I18N = {
zh: {
  loading: '正在载入…', app_title: '大厅屏幕内容编辑器', app_short: '屏幕内容编辑', lang_switch: 'English',
  login_intro: '请用管理员给您的账号登录。', login_expired: '登录已过期，请重新登录。您的修改还在，登录后会继续保存。',
  user_name: '用户名', password: '密码', log_in: '登录', log_out: '退出',
  login_fill: '请填写用户名和密码。', login_bad: '用户名或密码不对。',
  login_rate: '尝试次数太多，请 {0} 分钟后再试。',
  tabs_label: '页面', tab_edit: '编辑', tab_json: 'JSON 源文件', tab_history: '历史版本',
  save: '保存', save_title: '保存草稿（不会上屏；停止输入 2 秒后也会自动保存）', saved: '已保存',
  publish: '发布', publish_now: '发布', publish_title: '发布到所有屏幕',
  publish_title_hint: '把草稿发布到所有屏幕',
  publish_disabled_why: '有错误时不能发布：请先改正标红的地方。',
  publish_text: '发布后，所有屏幕会在下一次刷新时（大约 {0} 分钟内）换成新内容。',
  publish_summary: '这次修改了什么？（可不填）', publish_summary_ph: '例如：更新了运动会通知',
  publish_emergency: '这份内容带有紧急通知：发布后所有屏幕都会整屏显示它，直到过期或被删除。',
  publish_emergency_ok: '我确认要发布紧急通知', emergency_tick: '请先勾选确认紧急通知。',
  publishing: '正在发布…', published: '已发布（版本 {0}）。屏幕会在下一次刷新时换成新内容。',
  publish_invalid: '内容有错误，没有发布。请按标红的提示改正。',
  sign_yes: '发布时用密钥 {0} 签名。', sign_no: '发布的内容不签名。',
  problems_title: '问题', close: '关闭', checking: '正在检查…', no_problems: '没有问题',
  n_errors: '{0} 个错误', n_warnings: '{0} 个提醒', n_errors_warnings: '{0} 个错误、{1} 个提醒',
  warning_prefix: '提醒：',
  deck_settings: '整体设置', deck_settings_sub: '学校名称、滚动字幕、颜色、通知',
  slides: '幻灯片', n_slides: '共 {0} 张', slides_hint: '拖动可调整顺序；也可选中后按 Alt+↑ / Alt+↓。',
  add_slide: '＋ 新增幻灯片', add_slide_title: '新增哪一种幻灯片？',
  preview: '预览', preview_size: '预览尺寸', size_1080: '1920×1080 横屏', size_portrait: '1080×1920 竖屏',
  size_720: '1280×720 横屏', preview_note: '预览由屏幕自己的绘制程序生成，和大厅里看到的一样。',
  preview_alt: '第 {0} 张幻灯片的预览', preview_updating: '正在更新预览…',
  preview_invalid: '这张幻灯片有错误，改正后才会显示新的预览。', preview_error: '预览失败：{0}',
  preview_parse: 'JSON 有语法错误，暂时无法预览。', preview_none: '还没有幻灯片。', preview_waiting: '正在生成预览…',
  preview_meta: '{0} · 第 {1} 张 · {2}', preview_deck_note: '整体设置影响每一张',
  json_intro: '这是发布到屏幕的文件原文，供熟悉 JSON 的人使用。这里的修改会同步到“编辑”页面。',
  json_label: 'JSON 原文', json_problems: '检查结果', line_col: '第 {0} 行第 {1} 列', line_col_long: '第 {0} 行，第 {1} 列',
  history_title: '发布过的版本', refresh: '刷新',
  history_intro: '每次发布都会保存一个版本（最近 100 个）。可以预览、重新发布旧版本，或把它载入草稿再修改。',
  col_version: '版本', col_when: '时间', col_who: '发布人', col_summary: '说明', col_actions: '操作',
  history_empty: '还没有发布过。', version_preview: '版本预览', version_preview_hint: '在左边点“预览”查看一个版本。',
  prev_slide: '‹ 上一张', next_slide: '下一张 ›', live: '正在使用', view: '预览', republish: '重新发布',
  load_draft: '载入草稿', hp_info: '版本 {0} · {1} · {2}', hp_pos: '第 {0} / {1} 张', hp_alt: '版本 {0} 第 {1} 张的预览',
  republish_title: '重新发布版本 {0}？', republish_ok: '重新发布版本 {0}',
  republish_text: '所有屏幕会在下一次刷新时换回版本 {0} 的内容，草稿也会变成这个版本。',
  republish_dirty: '草稿里还没有发布的修改会被替换（它们仍在历史之外，请先确认不需要）。',
  republished: '已重新发布版本 {0}（新版本 {1}）。', load_title: '把版本 {0} 载入草稿？',
  load_text: '草稿会变成版本 {0} 的内容（不会发布）。草稿里现在的修改会被替换。',
  loaded_version: '已把版本 {0} 载入草稿。', save_first: '草稿还没有保存成功，请稍后再试。',
  feed_url_label: '屏幕的内容地址（feed_url）：', copy: '复制', copied: '已复制。', copy_manual: '已选中地址，请按 Ctrl+C 复制。',
  signing_on: '发布的内容带签名（密钥 {0}）', signing_off: '发布的内容不签名',
  cancel: '取消', ok: '确定', delete: '删除', duplicate: '复制', move_up: '上移', move_down: '下移',
  remove: '删除', clear: '清除', required: '必填',
  status_conflict: '冲突：没有保存', status_saving: '正在保存…', status_save_failed: '保存失败：{0}',
  status_unsaved: '有未保存的修改', status_saved_at: '已保存 {0}', status_saved: '已保存',
  conflict_title: '别人也在修改。',
  conflict_text: '{0} 在 {1} 保存了草稿，是在您打开之后。为了不覆盖别人的修改，您的修改还没有保存。',
  conflict_load: '载入对方的版本（放弃我的修改）', conflict_keep: '用我的修改覆盖',
  keep_title: '用您的修改覆盖对方的？', keep_text: '对方保存的修改会被您的草稿替换（已发布的版本不受影响）。',
  loaded_theirs: '已载入最新的草稿。', someone: '有人',
  parse_banner: 'JSON 源文件有语法错误：表单和预览要等改正后才能使用。', go_json: '去 JSON 源文件改正',
  parse_title: 'JSON 有语法错误', parse_text: '源文件现在不是有效的 JSON，表单暂时不能使用。请在“JSON 源文件”页按提示改正（错误标在出错的行上）。',
  err_network: '连不上编辑器服务器，请检查网络。', err_http: '服务器错误（{0}）',
  type_title: '标题页', type_list: '列表', type_cards: '卡片', type_timeline: '时间轴', type_countdown: '倒计时',
  type_quote: '引言', type_image: '图片', type_unknown: '未知类型',
  type_desc_title: '一行大标题，可加副标题和页脚', type_desc_list: '标题加 1–12 条要点',
  type_desc_cards: '1–12 张并排的卡片', type_desc_timeline: '1–8 个时间节点，自动显示还有几天',
  type_desc_countdown: '距离某个日子还有多少天', type_desc_quote: '一句话和出处', type_desc_image: '一张照片或图片，可加说明',
  untitled: '（未填写）', not_object: '这一项不是 { } 对象，请在 JSON 源文件中修改。',
  unknown_type: '屏幕不认识“{0}”类型的幻灯片，会跳过它。请在 JSON 源文件中修改类型。',
  flag_when: '定时', flag_when_title: '只在设定的时间显示', flag_sites: '限站点', flag_sites_title: '只在这些站点显示：{0}',
  slide_aria: '第 {0} 张，{1}：{2}', slide_heading: '第 {0} 张', moved: '已把第 {0} 张移到第 {1} 位。',
  duplicated: '已复制第 {0} 张。', deleted: '已删除第 {0} 张。', added: '已新增“{0}”幻灯片（第 {1} 张）。',
  delete_title: '删除第 {0} 张幻灯片？', delete_text: '“{0}”：{1}。删除后可以在发布前从历史版本找回已发布的内容。',
  sec_content: '内容', sec_play: '播放', sec_when: '什么时候显示', sec_sites: '在哪些屏幕显示', sec_more: '更多设置',
  sec_basic: '基本信息', sec_theme: '颜色和校徽', sec_defaults: '每张幻灯片的默认值', sec_alert: '通知',
  fld_title: '标题', fld_subtitle: '副标题', fld_footer: '页脚', fld_items: '列表项', fld_numbered: '显示编号（1、2、3…）',
  fld_cards: '卡片', fld_heading: '卡片标题', fld_card_text: '卡片内容', fld_text: '文字', fld_milestones: '时间节点',
  fld_date: '日期', fld_label: '名称', fld_ms_text: '说明', fld_target: '目标时间', fld_cd_label: '说明',
  fld_done_text: '到期后显示', fld_quote: '引言', fld_source: '出处', fld_src: '图片', fld_src_sha256: '图片校验值',
  fld_caption: '图片说明', fld_fit: '显示方式', fld_id: '名称（id）', fld_duration: '显示秒数', fld_transition: '切换效果',
  fld_when: '显示时间', fld_from: '开始', fld_until: '结束', fld_days: '星期', fld_hours: '每天的时段', fld_sites: '站点',
  fld_background: '背景', fld_background_sha256: '背景图片校验值', fld_type: '类型', fld_school: '学校名称',
  fld_refresh: '刷新间隔', fld_lang: '日期和时钟的语言', fld_theme: '颜色和校徽', fld_logo: '校徽', fld_logo_sha256: '校徽校验值',
  fld_accent: '强调色', fld_bg: '背景色', fld_text_colour: '文字颜色', fld_defaults: '默认值', fld_ticker: '滚动字幕',
  fld_alert: '通知', fld_level: '通知级别', fld_alert_title: '通知标题', fld_alert_text: '通知内容', fld_format: '格式',
  fld_slides: '幻灯片', fld_items_: '列表项',
  item: '条', item_n: '第 {0} 条', add_item: '添加一条', items_hint: '最多 {0} 条。',
  card: '卡片', card_n: '卡片 {0}', add_card: '添加卡片', milestone: '节点', milestone_n: '节点 {0}', add_milestone: '添加节点',
  date_placeholder: '例如 2027 或 2027-09 或 2027-12-31', date_hint: '按原样显示；写成年份、年月或日期时，屏幕还会显示“还有多少天”。',
  target_hint: '到这个时间为止倒数；只选日期表示那天 0 点。', done_hint: '目标时间过后显示这句话。',
  move_up_n: '上移{0} {1}', move_down_n: '下移{0} {1}', remove_n: '删除{0} {1}',
  counter_title: '已写 {0} 字，建议不超过 {1} 字', over_suggest: '超过建议的 {0} 字：屏幕上的字会变小，太长时会被截断（…）。',
  too_long_bytes: '太长：{0} 字节，最多 {1} 字节（约 1365 个汉字）。',
  seconds: '秒', default_n: '默认 {0}', default_x: '默认（{0}）',
  duration_hint: '不填时用默认的 {0} 秒。', duration_deck_hint: '3–600 秒；不填为 12 秒。',
  tr_fade: '淡入淡出', tr_slide: '滑动', tr_cut: '直接切换',
  fit_default: '默认（完整显示）', fit_contain: '完整显示', fit_cover: '铺满（可能裁掉边缘）',
  when_intro: '不填就一直显示。几项都填时，要同时满足才显示。', when_always: '一直显示',
  when_from: '从 {0}', when_until: '到 {0}',
  from_hint: '从这一刻开始显示。', until_hint: '只选日期时，显示到这一天结束。',
  days_hint: '不选表示每天。', hours_hint: '例如 07:30 到 18:00；结束早于开始表示跨过午夜；结束选 00:00 表示到午夜。',
  hours_both: '请同时选择开始和结束时间。', hours_to_label: '时段结束', to: '到', time_of: '{0}的时间（可不填）',
  workdays: '周一到周五', every_day: '每天（全不选）',
  day_mon: '一', day_tue: '二', day_wed: '三', day_thu: '四', day_fri: '五', day_sat: '六', day_sun: '日',
  dshort_mon: '一', dshort_tue: '二', dshort_wed: '三', dshort_thu: '四', dshort_fri: '五', dshort_sat: '六', dshort_sun: '日',
  days_summary: '每周{0}', days_sep: '、',
  sites_hint: '不填：所有屏幕都显示。填写后，只有配置了这些站点（site）的屏幕才显示这一张。', sites_all: '所有屏幕',
  site_placeholder: '输入站点名称后按回车，例如 north-campus', remove_site: '删除站点 {0}',
  id_hint: '可不填；给这张起个名字，便于在检查结果里找到它。不能和别的重复。',
  bg_theme: '用整体的背景色', bg_colour: '纯色背景', bg_image: '背景图片',
  pick_colour: '选择{0}', use_default: '用默认', colour_default: '不填时用默认颜色 {0}。',
  upload_image: '上传图片…', upload_hint: '只接受 PNG 和 JPEG，最大 {0} MB。', uploading: '正在上传…',
  uploaded: '图片已上传（{0}×{1}）。', upload_type: '只接受 PNG 和 JPEG 图片。',
  upload_big: '图片太大：{0} MB，最大 {1} MB。请先缩小。', upload_big_server: '图片太大（最大 {0} MB）。',
  upload_failed: '上传失败：{0}', remove_image: '去掉图片', image_none: '没有图片', image_elsewhere: '其他地址的图片',
  image_thumb_alt: '已上传的图片', image_address: '图片地址（高级）', image_address_of: '{0}的图片地址', image_pinned: '已固定 SHA-256：{0}…',
  image_unpinned: '没有固定 SHA-256（签名发布时必须有：请重新上传）',
  school_hint: '显示在每张幻灯片的页眉。', lang_default: '默认（中文）', lang_hint: '时钟和日期用中文还是英文。',
  refresh_hint: '屏幕多久检查一次新内容；不填为 300 秒。',
  ticker_lines: '字幕', ticker_line: '字幕', ticker_n: '第 {0} 条', add_ticker: '添加一条字幕',
  ticker_hint: '在屏幕底部滚动。最多显示 {0} 条、共 {1} 个字，超出的部分不显示。',
  ticker_count: '{0}/{1} 字 · {2}/{3} 条',
  alert_intro: '通知显示在所有幻灯片上方；紧急通知占满整个屏幕。', alert_none: '没有通知',
  alert_info: '普通通知（横幅）', alert_warning: '警告（醒目横幅）', alert_emergency: '紧急（整屏显示）',
  fld_alert_level: '通知级别', alert_from_hint: '不填：立即显示。', alert_until_hint: '不填：一直显示，直到删除通知。',
  emergency_title: '设为紧急通知？',
  emergency_text: '紧急通知会占满所有屏幕，幻灯片都不再显示，直到过期或被删除。只在真正紧急时使用（例如疏散）。',
  emergency_ok: '设为紧急通知', emergency_note: '紧急通知：发布后所有屏幕整屏显示，发布时还需要再确认一次。',
  where_file: '文件', where_slide: '第 {0} 张幻灯片', where_nth: '{0}第 {1} 项',
  facts_seconds: '{0} 秒', facts_default: '（默认）', quick_fix: '自动改正', date_first: '请先选日期；只选时间不会生效。', fixed: '已改正，正在重新检查…',
  logout_unsaved_title: '有修改没有保存', logout_unsaved_text: '您的修改还没能保存（见页面上方的提示）。现在退出，这些修改会丢失。',
  preview_emergency: '有紧急通知：它生效时，屏幕整屏显示通知，不显示任何幻灯片。这里的预览只画幻灯片本身。'
},
en: {
  loading: 'Loading…', app_title: 'Lobby screen content editor', app_short: 'Screen content', lang_switch: '中文',
  login_intro: 'Log in with the account your administrator gave you.',
  login_expired: 'Your session has expired: please log in again. Your changes are kept and will be saved.',
  user_name: 'User name', password: 'Password', log_in: 'Log in', log_out: 'Log out',
  login_fill: 'Please enter your user name and password.', login_bad: 'Wrong user name or password.',
  login_rate: 'Too many attempts: please try again in {0} minutes.',
  tabs_label: 'Views', tab_edit: 'Edit', tab_json: 'JSON source', tab_history: 'History',
  save: 'Save', save_title: 'Save the draft (not shown on screens; also saved 2 s after you stop typing)', saved: 'Saved',
  publish: 'Publish', publish_now: 'Publish', publish_title: 'Publish to every screen',
  publish_title_hint: 'Publish the draft to every screen',
  publish_disabled_why: 'Cannot publish while there are errors: fix what is marked red first.',
  publish_text: 'Every screen shows the new content at its next refresh (within about {0} minutes).',
  publish_summary: 'What did you change? (optional)', publish_summary_ph: 'e.g. sports day notice updated',
  publish_emergency: 'This content has an emergency alert: every screen will show it full screen until it expires or is removed.',
  publish_emergency_ok: 'I confirm publishing an emergency alert', emergency_tick: 'Please tick the emergency confirmation first.',
  publishing: 'Publishing…', published: 'Published (version {0}). Screens switch at their next refresh.',
  publish_invalid: 'Not published: the content has errors (marked red).',
  sign_yes: 'Signed with key {0}.', sign_no: 'Not signed.',
  problems_title: 'Problems', close: 'Close', checking: 'Checking…', no_problems: 'No problems',
  n_errors: '{0} error(s)', n_warnings: '{0} warning(s)', n_errors_warnings: '{0} error(s), {1} warning(s)',
  warning_prefix: 'Warning: ',
  deck_settings: 'Deck settings', deck_settings_sub: 'School, ticker, colours, alert',
  slides: 'Slides', n_slides: '{0} in all', slides_hint: 'Drag to reorder, or select one and press Alt+↑ / Alt+↓.',
  add_slide: '＋ Add a slide', add_slide_title: 'Which kind of slide?',
  preview: 'Preview', preview_size: 'Preview size', size_1080: '1920×1080 landscape', size_portrait: '1080×1920 portrait',
  size_720: '1280×720 landscape', preview_note: 'Drawn by the renderer the screens use: exactly what the lobby shows.',
  preview_alt: 'Preview of slide {0}', preview_updating: 'Updating the preview…',
  preview_invalid: 'This slide has errors: the preview updates once they are fixed.', preview_error: 'Preview failed: {0}',
  preview_parse: 'The JSON has a syntax error: no preview for now.', preview_none: 'No slides yet.', preview_waiting: 'Drawing the preview…',
  preview_meta: '{0} · slide {1} · {2}', preview_deck_note: 'deck settings affect every slide',
  json_intro: 'The file the screens read, for those who know JSON. Changes here carry over to the Edit view.',
  json_label: 'JSON source', json_problems: 'Check', line_col: 'line {0}:{1}', line_col_long: 'Line {0}, column {1}',
  history_title: 'Published versions', refresh: 'Refresh',
  history_intro: 'Every publish is kept as a version (the last 100). Preview one, publish it again, or load it into the draft.',
  col_version: 'Version', col_when: 'When', col_who: 'By', col_summary: 'Summary', col_actions: 'Actions',
  history_empty: 'Nothing published yet.', version_preview: 'Version preview', version_preview_hint: 'Click “View” on the left.',
  prev_slide: '‹ Previous', next_slide: 'Next ›', live: 'live', view: 'View', republish: 'Publish again',
  load_draft: 'Load into draft', hp_info: 'Version {0} · {1} · {2}', hp_pos: 'slide {0} of {1}', hp_alt: 'Version {0}, slide {1}',
  republish_title: 'Publish version {0} again?', republish_ok: 'Publish version {0}',
  republish_text: 'Every screen goes back to version {0} at its next refresh, and the draft becomes that version.',
  republish_dirty: ' Unpublished changes in the draft will be replaced.',
  republished: 'Version {0} published again (new version {1}).', load_title: 'Load version {0} into the draft?',
  load_text: 'The draft becomes version {0} (not published). The current draft is replaced.',
  loaded_version: 'Version {0} loaded into the draft.', save_first: 'The draft is not saved yet; try again in a moment.',
  feed_url_label: 'Feed URL for the screens (feed_url):', copy: 'Copy', copied: 'Copied.', copy_manual: 'Selected: press Ctrl+C to copy.',
  signing_on: 'Published content is signed (key {0})', signing_off: 'Published content is not signed',
  cancel: 'Cancel', ok: 'OK', delete: 'Delete', duplicate: 'Duplicate', move_up: 'Up', move_down: 'Down',
  remove: 'Remove', clear: 'Clear', required: 'required',
  status_conflict: 'Conflict: not saved', status_saving: 'Saving…', status_save_failed: 'Not saved: {0}',
  status_unsaved: 'Unsaved changes', status_saved_at: 'Saved {0}', status_saved: 'Saved',
  conflict_title: 'Someone else is editing too.',
  conflict_text: '{0} saved the draft at {1}, after you opened it. Your changes were not saved, so as not to overwrite theirs.',
  conflict_load: 'Load theirs (drop my changes)', conflict_keep: 'Overwrite with mine',
  keep_title: 'Overwrite their changes with yours?', keep_text: 'Their saved draft is replaced by yours (published versions are not affected).',
  loaded_theirs: 'The latest draft is loaded.', someone: 'Someone',
  parse_banner: 'The JSON source has a syntax error: the form and preview wait until it is fixed.', go_json: 'Fix it in the JSON source',
  parse_title: 'JSON syntax error', parse_text: 'The source is not valid JSON at the moment, so the form cannot be used. Fix it in the JSON source view (each error is marked at its line).',
  err_network: 'Cannot reach the editor server: check the network.', err_http: 'Server error ({0})',
  type_title: 'Title', type_list: 'List', type_cards: 'Cards', type_timeline: 'Timeline', type_countdown: 'Countdown',
  type_quote: 'Quote', type_image: 'Image', type_unknown: 'unknown type',
  type_desc_title: 'A big title, with subtitle and footer', type_desc_list: 'A title and 1–12 points',
  type_desc_cards: '1–12 cards side by side', type_desc_timeline: '1–8 milestones with days to go',
  type_desc_countdown: 'Days left until a date', type_desc_quote: 'A quotation and its source', type_desc_image: 'A photo or picture with a caption',
  untitled: '(empty)', not_object: 'This is not a { } object: fix it in the JSON source.',
  unknown_type: 'Screens do not know slides of type “{0}” and skip them. Change the type in the JSON source.',
  flag_when: 'timed', flag_when_title: 'Shown only at the set times', flag_sites: 'sites', flag_sites_title: 'Shown only at: {0}',
  slide_aria: 'Slide {0}, {1}: {2}', slide_heading: 'Slide {0}', moved: 'Slide {0} moved to position {1}.',
  duplicated: 'Slide {0} duplicated.', deleted: 'Slide {0} deleted.', added: '{0} slide added (slide {1}).',
  delete_title: 'Delete slide {0}?', delete_text: '“{0}”: {1}. Published versions stay in the history.',
  sec_content: 'Content', sec_play: 'Playback', sec_when: 'When it shows', sec_sites: 'Which screens', sec_more: 'More settings',
  sec_basic: 'Basics', sec_theme: 'Colours and logo', sec_defaults: 'Defaults for every slide', sec_alert: 'Alert',
  fld_title: 'Title', fld_subtitle: 'Subtitle', fld_footer: 'Footer', fld_items: 'Items', fld_numbered: 'Numbered (1, 2, 3…)',
  fld_cards: 'Cards', fld_heading: 'Heading', fld_card_text: 'Text', fld_text: 'Text', fld_milestones: 'Milestones',
  fld_date: 'Date', fld_label: 'Label', fld_ms_text: 'Text', fld_target: 'Target time', fld_cd_label: 'Label',
  fld_done_text: 'Text once passed', fld_quote: 'Quotation', fld_source: 'Source', fld_src: 'Image', fld_src_sha256: 'Image SHA-256',
  fld_caption: 'Caption', fld_fit: 'Fit', fld_id: 'Name (id)', fld_duration: 'Seconds shown', fld_transition: 'Transition',
  fld_when: 'When', fld_from: 'From', fld_until: 'Until', fld_days: 'Weekdays', fld_hours: 'Hours each day', fld_sites: 'Sites',
  fld_background: 'Background', fld_background_sha256: 'Background SHA-256', fld_type: 'Type', fld_school: 'School name',
  fld_refresh: 'Refresh', fld_lang: 'Clock and date language', fld_theme: 'Colours and logo', fld_logo: 'Logo', fld_logo_sha256: 'Logo SHA-256',
  fld_accent: 'Accent', fld_bg: 'Background', fld_text_colour: 'Text colour', fld_defaults: 'Defaults', fld_ticker: 'Ticker',
  fld_alert: 'Alert', fld_level: 'Alert level', fld_alert_title: 'Alert title', fld_alert_text: 'Alert text', fld_format: 'Format',
  fld_slides: 'Slides', fld_items_: 'Items',
  item: 'item', item_n: 'Item {0}', add_item: 'Add an item', items_hint: 'At most {0}.',
  card: 'card', card_n: 'Card {0}', add_card: 'Add a card', milestone: 'milestone', milestone_n: 'Milestone {0}', add_milestone: 'Add a milestone',
  date_placeholder: 'e.g. 2027, 2027-09 or 2027-12-31', date_hint: 'Shown as written; a year, month or date also shows the days to go.',
  target_hint: 'Counts down to this time; a date alone means its midnight.', done_hint: 'Shown once the target time has passed.',
  move_up_n: 'Move {0} {1} up', move_down_n: 'Move {0} {1} down', remove_n: 'Remove {0} {1}',
  counter_title: '{0} characters; at most {1} suggested', over_suggest: 'Longer than the suggested {0} characters: the screen draws it smaller, and cuts it (…) when too long.',
  too_long_bytes: 'Too long: {0} bytes, at most {1}.',
  seconds: 's', default_n: 'default {0}', default_x: 'Default ({0})',
  duration_hint: 'Empty: the default {0} seconds.', duration_deck_hint: '3–600 seconds; empty: 12.',
  tr_fade: 'Fade', tr_slide: 'Slide', tr_cut: 'Cut',
  fit_default: 'Default (whole image)', fit_contain: 'Whole image', fit_cover: 'Fill (may crop)',
  when_intro: 'Empty: always shown. With several conditions, all must hold.', when_always: 'always',
  when_from: 'from {0}', when_until: 'until {0}',
  from_hint: 'Shown from this moment on.', until_hint: 'A date alone: shown through the end of that day.',
  days_hint: 'None ticked: every day.', hours_hint: 'e.g. 07:30 to 18:00; an end before the start runs past midnight; end 00:00 means midnight.',
  hours_both: 'Please choose both a start and an end.', hours_to_label: 'End of the hours', to: 'to', time_of: 'time of {0} (optional)',
  workdays: 'Mon–Fri', every_day: 'Every day (none)',
  day_mon: 'Mon', day_tue: 'Tue', day_wed: 'Wed', day_thu: 'Thu', day_fri: 'Fri', day_sat: 'Sat', day_sun: 'Sun',
  dshort_mon: 'Mon', dshort_tue: 'Tue', dshort_wed: 'Wed', dshort_thu: 'Thu', dshort_fri: 'Fri', dshort_sat: 'Sat', dshort_sun: 'Sun',
  days_summary: '{0}', days_sep: ' ',
  sites_hint: 'Empty: every screen. Otherwise only screens configured with one of these sites show it.', sites_all: 'every screen',
  site_placeholder: 'Type a site name and press Enter, e.g. north-campus', remove_site: 'Remove site {0}',
  id_hint: 'Optional: a name to find this slide in check results. Must be unique.',
  bg_theme: 'The deck background', bg_colour: 'A colour', bg_image: 'An image',
  pick_colour: 'Choose {0}', use_default: 'Default', colour_default: 'Empty: the default {0}.',
  upload_image: 'Upload image…', upload_hint: 'PNG or JPEG, at most {0} MB.', uploading: 'Uploading…',
  uploaded: 'Image uploaded ({0}×{1}).', upload_type: 'Only PNG and JPEG images are accepted.',
  upload_big: 'Too large: {0} MB, at most {1} MB. Please make it smaller first.', upload_big_server: 'Too large (at most {0} MB).',
  upload_failed: 'Upload failed: {0}', remove_image: 'Remove image', image_none: 'no image', image_elsewhere: 'image elsewhere',
  image_thumb_alt: 'The uploaded image', image_address: 'Image address (advanced)', image_address_of: 'Address of the {0} image', image_pinned: 'SHA-256 pinned: {0}…',
  image_unpinned: 'No SHA-256 pinned (required for signed publishing: upload it again)',
  school_hint: 'Shown in the header of every slide.', lang_default: 'Default (Chinese)', lang_hint: 'Clock and dates in Chinese or English.',
  refresh_hint: 'How often screens look for new content; empty: 300 seconds.',
  ticker_lines: 'Lines', ticker_line: 'line', ticker_n: 'Line {0}', add_ticker: 'Add a line',
  ticker_hint: 'Scrolls along the bottom. At most {0} lines and {1} characters in all are shown.',
  ticker_count: '{0}/{1} chars · {2}/{3} lines',
  alert_intro: 'An alert shows over every slide; an emergency takes the whole screen.', alert_none: 'No alert',
  alert_info: 'Information (banner)', alert_warning: 'Warning (banner)', alert_emergency: 'Emergency (full screen)',
  fld_alert_level: 'Alert level', alert_from_hint: 'Empty: from now.', alert_until_hint: 'Empty: until the alert is removed.',
  emergency_title: 'Make this an emergency alert?',
  emergency_text: 'An emergency alert takes over every screen (no slides) until it expires or is removed. Use it only for real emergencies, such as an evacuation.',
  emergency_ok: 'Make it an emergency', emergency_note: 'Emergency: every screen shows it full screen once published; publishing asks again.',
  where_file: 'file', where_slide: 'Slide {0}', where_nth: '{0} #{1}',
  facts_seconds: '{0} s', facts_default: '(default)', quick_fix: 'Fix it', date_first: 'Choose a date first: a time alone has no effect.', fixed: 'Fixed; checking again…',
  logout_unsaved_title: 'Unsaved changes', logout_unsaved_text: 'Your changes could not be saved (see the notice at the top). Logging out now loses them.',
  preview_emergency: 'There is an emergency alert: while it is in force, screens show it full screen and no slides. This preview draws the slide alone.'
}
};

let lang = 'zh';
try { lang = localStorage.getItem(LS_LANG) === 'en' ? 'en' : 'zh'; } catch (e) { lang = 'zh'; }

function has(key) {
  return Object.prototype.hasOwnProperty.call(I18N.zh, key);
}

function t(key, ...args) {
  let s = I18N[lang][key];
  if (s === undefined) s = I18N.zh[key];
  if (s === undefined) {
    if (window.console) console.warn('i18n: no text for ' + key);
    return key;
  }
  return s.replace(/\{(\d)\}/g, (m, i) => (args[i] === undefined ? '' : String(args[i])));
}

/* ------------------------------------------------------------ utilities */

const $ = (id) => document.getElementById(id);
let uidN = 0;
const uid = (p) => (p || 'f') + '-' + (++uidN);

/* h('div', {class: 'x', onclick: f}, child, ...): an element.  Attributes
 * with the value undefined, null or false are left out; true sets an empty
 * attribute; value and checked are set as properties. */
function h(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const k of Object.keys(props)) {
      const v = props[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'value' || k === 'checked') e[k] = v;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else e.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c.nodeType ? c : String(c));
  }
  return e;
}

const chars = (s) => [...String(s)].length;
const utf8Bytes = (s) => new TextEncoder().encode(String(s)).length;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const clone = (v) => JSON.parse(JSON.stringify(v));

function fmtTime(epoch) {
  if (!epoch) return '';
  const d = new Date(epoch * 1000);
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'
  });
}

function fmtClock(ms) {
  return new Date(ms).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB',
                                         {hour: '2-digit', minute: '2-digit'});
}

let toastTimer = null;
function toast(msg, kind) {
  const el = $('toast');
  el.textContent = msg;
  el.className = 'toast' + (kind ? ' ' + kind : '');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 8000 : 4000);
}

function announce(msg) {
  const el = $('announce');
  el.textContent = '';
  setTimeout(() => { el.textContent = msg; }, 30);
}

/* A modal question (the page's own <dialog>, not window.confirm, so that it
 * is styled, translated and testable).  Resolves true for OK. */
function confirmDialog(title, text, okLabel, danger) {
  return new Promise((resolve) => {
    const dlg = $('dlg-confirm');
    $('dlg-confirm-title').textContent = title;
    $('dlg-confirm-text').textContent = text;
    const ok = $('dlg-confirm-ok');
    ok.textContent = okLabel || t('ok');
    ok.className = danger ? 'danger' : 'primary';
    dlg.returnValue = '';
    const done = () => {
      dlg.removeEventListener('close', done);
      resolve(dlg.returnValue === 'ok');
    };
    dlg.addEventListener('close', done);
    dlg.showModal();
    $('dlg-confirm-cancel').focus();
  });
}

/* ------------------------------------------------------------------ API */

class ApiError extends Error {
  constructor(status, body) {
    super('HTTP ' + status);
    this.status = status;
    this.body = body || {};
  }
}

/* fetch() with the session's CSRF token on every change.  JSON answers are
 * parsed; errors throw ApiError (status 0: no network).  A 401 means the
 * session is gone: the log-in layer comes up over the page. */
async function api(method, url, opts) {
  opts = opts || {};
  const init = {method, headers: Object.assign({}, opts.headers || {}), credentials: 'same-origin'};
  if (method !== 'GET' && S.csrf) init.headers['X-CSRF-Token'] = S.csrf;
  if (opts.json !== undefined) {
    init.body = JSON.stringify(opts.json);
    init.headers['Content-Type'] = 'application/json';
  } else if (opts.body !== undefined) {
    init.body = opts.body;
    init.headers['Content-Type'] = opts.type || 'application/json';
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, {});
  }
  if (res.status === 401 && opts.login !== false) sessionLost();
  if (opts.raw && res.ok) return res;
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('json')) {
    try { data = await res.json(); } catch (e) { data = null; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/* The server's error text in the page's language. */
function errText(e) {
  if (!(e instanceof ApiError)) return String(e && e.message || e);
  if (e.status === 0) return t('err_network');
  const b = e.body || {};
  if (lang === 'en' && b.error_en) return b.error_en;
  if (b.error) return b.error;
  return t('err_http', e.status);
}

/* -------------------------------------------------------------- state */

const S = {
  user: null, csrf: null, info: null,
  rev: 0, by: '', at: 0, live: null,
  text: '',            /* the draft as edited (what is saved and published) */
  savedText: '',       /* the text the server has at rev */
  doc: null,           /* the last parse of text that gave an object */
  parseError: false,   /* text is not a JSON object at the moment */
  report: null,        /* the server's check of reportText */
  reportText: null,
  sel: -1,             /* selected slide; -1: the deck settings */
  tab: 'edit',
  conflict: null,      /* {rev, by, at} after a 409 */
  saving: false, saveError: '', savedAt: 0,
  formStale: true,     /* the form must be rebuilt before it is shown */
  started: false
};

/* ---------------------------------------------------- document paths */

/* ['slides', 2, 'items', 1] <-> "slides[2].items[1]", as the server's
 * diagnostics name fields. */
function pstr(p) {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? '[' + k + ']' : (s ? '.' + k : k);
  return s;
}

function pparse(s) {
  const out = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m;
  while ((m = re.exec(s))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

function getAt(p, root) {
  let o = root === undefined ? S.doc : root;
  for (const k of p) {
    if (o === null || typeof o !== 'object') return undefined;
    o = o[k];
  }
  return o;
}

/* Sets (or, with undefined, removes) the value at p in S.doc, creating the
 * objects on the way. */
function setAt(p, v) {
  let o = S.doc;
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i];
    if (o[k] === null || typeof o[k] !== 'object') {
      if (v === undefined) return;
      o[k] = typeof p[i + 1] === 'number' ? [] : {};
    }
    o = o[k];
  }
  const last = p[p.length - 1];
  if (v === undefined) {
    if (Array.isArray(o)) o.splice(last, 1);
    else delete o[last];
  } else {
    o[last] = v;
  }
}

/* Removes the object at p when nothing is left in it ("when": {}). */
function pruneEmpty(p) {
  const o = getAt(p);
  if (isObj(o) && Object.keys(o).length === 0) setAt(p, undefined);
}

function slides() {
  return S.doc && Array.isArray(S.doc.slides) ? S.doc.slides : [];
}

function slideAt(i) {
  const s = slides()[i];
  return isObj(s) ? s : null;
}

/* ------------------------------------------------- message translation */

/* The server's diagnostics carry the kiosk parser's English text (the same
 * as edukiosk --check).  In Chinese each known shape is rewritten in plain
 * words; anything else is shown as it is.  Order matters: first match. */
const ENUM_ZH = {
  fade: '淡入淡出', slide: '滑动', cut: '直接切换', contain: '完整显示', cover: '铺满',
  info: '普通', warning: '警告', emergency: '紧急', 'zh-CN': '中文', en: '英文',
  mon: '星期一', tue: '星期二', wed: '星期三', thu: '星期四', fri: '星期五',
  sat: '星期六', sun: '星期日'
};

function enumZh(list) {
  const vals = list.match(/"[^"]*"/g) || [];
  const words = vals.map((q) => {
    const v = q.slice(1, -1);
    return ENUM_ZH[v] ? ENUM_ZH[v] + '（' + q + '）' : q;
  });
  return words.length > 1 ? words.slice(0, -1).join('、') + ' 或 ' + words[words.length - 1] : words.join('');
}

const MSGS_ZH = [
  [/^(.*) \(found (\d+)\)$/, (m) => trMsg(m[1]) + '（现在有 ' + m[2] + ' 个）'],
  [/^required field is missing$/, () => '必须填写'],
  [/^must be a string$/, () => '必须是文字（写在英文双引号里）'],
  [/^must not be empty$/, () => '不能为空，请填写'],
  [/^must be true or false$/, () => '只能是 true（是）或 false（否）'],
  [/^must be a time such as /, () => '请填写时间，例如 2026-12-01 或 2026-12-01 08:00'],
  [/^"" is not a valid time/, () => '请选择日期（时间可以不填）'],
  [/^(.*) is not a valid time; write it as /,
   (m) => m[1] + ' 不是有效的时间。请写成 2026-12-01 或 2026-12-01 08:00（月、日、时、分都写两位数，日期必须存在）'],
  [/^must be later than (?:when|alert)\.from$/, () => '结束时间必须晚于开始时间'],
  [/^must be a colour written "#rrggbb", e\.g\./, () => '颜色要写成 #rrggbb 的形式，例如 #0b3d91'],
  [/^must be a colour written "#rrggbb" \(e\.g\. "#0b3d91"\) or an image URL$/,
   () => '背景要写颜色 #rrggbb（例如 #0b3d91）或图片地址'],
  [/^must be a list of 1 to (\d+) texts$/, (m) => '需要 1 到 ' + m[1] + ' 条文字'],
  [/^must be a list of 1 to (\d+) slides$/, (m) => '需要 1 到 ' + m[1] + ' 张幻灯片'],
  [/^must be a list of 1 to (\d+) cards$/, (m) => '需要 1 到 ' + m[1] + ' 张卡片'],
  [/^must be a list of 1 to (\d+) milestones$/, (m) => '需要 1 到 ' + m[1] + ' 个时间节点'],
  [/^must be a list of texts$/, () => '必须是一组文字'],
  [/^must be a list of days/, () => '星期要写成列表，例如 ["mon", "wed", "fri"]'],
  [/^must be a list of site names/, () => '站点要写成名称列表，例如 ["north-campus"]；不限站点时请删掉这一项'],
  [/^must be "HH:MM-HH:MM"/, () => '时段要写成 HH:MM-HH:MM，例如 07:30-18:00 或 22:00-06:00'],
  [/^start and end are the same time/, () => '开始和结束是同一时间；全天显示时请不要设时段'],
  [/^must be an object such as/, () => '格式不对：这里应该是一个 { … } 对象'],
  [/^must be "edukiosk\/1"$/, () => '必须是 "edukiosk/1"'],
  [/^this kiosk reads "edukiosk\/1" feeds, not (.*)$/, (m) => '屏幕只能读 "edukiosk/1" 格式，不能读 ' + m[1]],
  [/^must be a number from 3 to 600$/, () => '必须是 3 到 600 之间的秒数'],
  [/^must be a number of seconds \(1 or more\)$/, () => '必须是秒数（1 或更大）'],
  [/^must be (".*")$/, (m) => '只能是 ' + enumZh(m[1])],
  [/^not used by an? (\w+) slide \(ignored\)$/, (m) => '“' + typeName(m[1]) + '”幻灯片不用这一项（屏幕会忽略它）'],
  [/^unknown field \(ignored\)$/, () => '不认识的项（屏幕会忽略它；是不是拼错了？）'],
  [/^text is too long: (\d+) bytes, at most (\d+) \(about (\d+) Chinese characters\)$/,
   (m) => '文字太长：' + m[1] + ' 字节，最多 ' + m[2] + ' 字节（约 ' + m[3] + ' 个汉字）'],
  [/^key is too long: (\d+) bytes, at most (\d+)$/, (m) => '名称太长：' + m[1] + ' 字节，最多 ' + m[2] + ' 字节'],
  [/^is a colour: "background_sha256" is for an image$/, () => '背景是颜色，不需要 background_sha256（它只用于背景图片）'],
  [/^must be a string naming the slide type/, () => '必须写明幻灯片类型，例如 "title"'],
  [/^unknown slide type (.*); this slide is skipped$/, (m) => '不认识的幻灯片类型 ' + m[1] + '，屏幕会跳过这一张'],
  [/^duplicate id (.*) \(slides\[(\d+)\] has it too\)$/,
   (m) => '名称 ' + m[1] + ' 重复了（第 ' + (Number(m[2]) + 1) + ' 张也用了它）；每张的名称要不同'],
  [/^has "(\w+)_sha256" but no "\w+" image$/, (m) => '填了 ' + m[1] + '_sha256，却没有图片'],
  [/^no slide of a known type/, () => '没有屏幕能显示的幻灯片：每一张都被跳过了'],
  [/^needs a "title" or a "text"$/, () => '通知至少要写标题或内容中的一项'],
  [/^the ticker shows at most (\d+) texts: this one and the (\d+) after it are not shown$/,
   (m) => '滚动字幕最多显示 ' + m[1] + ' 条：这一条和后面的 ' + m[2] + ' 条不会显示'],
  [/^the ticker shows at most (\d+) characters in all: this text is cut after (\d+) characters and the (\d+) after it are not shown$/,
   (m) => '滚动字幕一共最多显示 ' + m[1] + ' 个字：这一条只显示前 ' + m[2] + ' 个字，后面的 ' + m[3] + ' 条不会显示'],
  [/^the ticker shows at most (\d+) characters in all: this text and the (\d+) after it are not shown$/,
   (m) => '滚动字幕一共最多显示 ' + m[1] + ' 个字：这一条和后面的 ' + m[2] + ' 条不会显示'],
  [/^must be an http\(s\)/, () => '图片地址要以 https:// 或 http:// 开头，或是相对地址，例如 images/a.png（请用“上传图片”）'],
  [/^(.*) is not a valid URL \((.*)\)$/, (m) => m[1] + ' 不是有效的地址（' + m[2] + '）'],
  [/^must be the image's SHA-256/, () => '必须是图片的 SHA-256（64 位十六进制数字）；重新上传图片会自动填写'],
  [/^a signed feed must pin every image: add "(\w+)_sha256"/,
   (m) => '发布的内容带签名，每张图片都要固定它的 SHA-256（' + m[1] + '_sha256）。请用“上传图片”重新上传这张图片，会自动填写'],
  [/^this image is pinned to another SHA-256 at (\S+)/,
   (m) => '同一张图片在“' + pathLabel(m[1]) + '”固定的 SHA-256 和这里不同'],
  [/^(.*): on another server; the editor cannot check it$/, (m) => m[1] + ' 在别的服务器上，编辑器无法检查它（屏幕能否显示要看那台服务器）'],
  [/^image (.*): not uploaded$/, (m) => '图片 ' + m[1] + ' 还没有上传到编辑器，请用“上传图片”上传'],
  [/^image (.*): (.*)$/, (m) => '图片 ' + m[1] + ' 不能使用：' + m[2]],
  [/^slide (\d+) is of a type this kiosk cannot show$/, (m) => '第 ' + m[1] + ' 张的类型屏幕不能显示'],
  [/^invalid UTF-8/, () => '文件里有不是 UTF-8 的字节，请用 UTF-8 编码保存'],
  [/^invalid JSON: .* in a text; write/, () => '文字里不能直接换行或放控制字符：换行请写 \\n，制表符写 \\t'],
  [/^invalid JSON: this text does not end on its line/, () => '这段文字在这一行没有结束（是不是少了一个英文双引号 " ？）'],
  [/^text may not contain \\u0000/, () => '文字里不能有 \\u0000（空字符）'],
  [/^unexpected text after the end of the feed/, () => '文件最后的 } 后面还有多余的内容'],
  [/^duplicate key (.*); each key may appear once$/, (m) => m[1] + ' 写了两次：同一个 { } 里每一项只能出现一次'],
  [/^the feed is empty$/, () => '文件是空的'],
  [/^the feed must be a JSON object/, () => '文件必须是一个 JSON 对象：{ "format": "edukiosk/1", "slides": [ … ] }'],
  [/^invalid JSON: the text ends too early/, () => 'JSON 不完整：文件提前结束了（是不是少了 " 、 ] 或 } ？）'],
  [/^invalid JSON: .*near '，'/, () => '这里用了中文逗号 ，请改成英文逗号 , （可以按“自动改正”）'],
  [/^invalid JSON: .*near '：'/, () => '这里用了中文冒号 ：请改成英文冒号 : （可以按“自动改正”）'],
  [/^invalid JSON: .*near '[‘’]'/, () => '这里用了中文引号 ‘ ’，请改成英文双引号 "'],
  [/^invalid JSON: ':' expected/, () => '名称后面要有一个英文冒号 : '],
  [/^invalid JSON: .*\(a missing comma\?\)$/, () => '这里前面少了一个英文逗号 , （每两项之间都要有逗号，通常是上一行的末尾）'],
  [/^invalid JSON: .*\(a comma too many before it\?\)$/, () => '最后一项后面多了一个逗号：请删掉 ] 或 } 前面的逗号'],
  [/^invalid JSON: .*\(use straight double quotes/, () => '请用英文双引号 " ，不要用中文引号 “ ”'],
  [/^invalid JSON: .*\(keys and texts take double quotes/, () => '名称和文字要用英文双引号 " 括起来，不能用单引号'],
  [/^invalid JSON: (.*)$/, (m) => 'JSON 格式错误：' + m[1]],
  [/^the feed is (\d+) bytes, more than the limit of (\d+)$/, (m) => '文件有 ' + m[1] + ' 字节，超过了上限 ' + m[2] + ' 字节'],
  [/^the file is UTF-16/, () => '文件是 UTF-16 编码，请保存为 UTF-8'],
  [/^the file contains a NUL byte/, () => '文件里有空字节（NUL），它不是文本文件吗？'],
  [/^the file starts with a byte order mark/, () => '文件开头有 BOM 标记；可以使用，但最好保存为不带 BOM 的 UTF-8'],
  [/^nested too deeply: at most (\d+) levels/, (m) => '嵌套太深：[ ] 和 { } 最多 ' + m[1] + ' 层'],
  [/^out of memory$/, () => '服务器内存不足']
];

function trMsg(msg) {
  if (lang !== 'zh') return msg;
  for (const [re, f] of MSGS_ZH) {
    const m = re.exec(msg);
    if (m) return f(m);
  }
  return msg;
}

/* Where a diagnostic is, in words: "第 3 张幻灯片 · 列表第 2 条". */
function fieldName(k) {
  const key = 'fld_' + k;
  return has(key) ? t(key) : k;
}

function pathLabel(path) {
  const p = pparse(path);
  if (p.length === 0) return t('where_file');
  const parts = [];
  let i = 0;
  if (p[0] === 'slides' && typeof p[1] === 'number') {
    parts.push(t('where_slide', p[1] + 1));
    i = 2;
  } else if (p[0] !== 'slides') {
    parts.push(t('deck_settings'));
  }
  for (; i < p.length; i++) {
    const k = p[i];
    if (typeof k === 'number') {
      const prev = parts.length ? parts.pop() : '';
      parts.push(t('where_nth', prev, k + 1));
    } else {
      parts.push(fieldName(k));
    }
  }
  return parts.join(' · ');
}

function slideIndexOf(path) {
  const m = /^slides\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : -1;
}

/* ------------------------------------------------- text, check, save */

/* The text changed (form or JSON tab): re-parse, then check, save and
 * preview later.  opts.from: 'form' | 'json' | 'load'. */
function textChanged(opts) {
  opts = opts || {};
  if (opts.from !== 'form') {
    let d = null;
    try { d = JSON.parse(S.text); } catch (e) { d = null; }
    if (isObj(d)) {
      S.doc = d;
      S.parseError = false;
    } else {
      S.parseError = true;
    }
    S.formStale = true;
    if (S.sel >= slides().length) S.sel = slides().length - 1;
  }
  if (opts.from !== 'load') scheduleSave();
  scheduleCheck(opts.from === 'load' ? 0 : 350);
  schedulePreview(opts.from === 'load' ? 0 : 400);
  updateSaveStatus();
  if (opts.from === 'json') {
    renderSlideList();
  }
}

/* The form changed S.doc. */
function docChanged(structural) {
  S.text = JSON.stringify(S.doc, null, 2) + '\n';
  textChanged({from: 'form'});
  if (structural) renderSlideList();
  else refreshListLabels();
}

let checkTimer = null, checkBusy = false, checkAgain = false;

function scheduleCheck(delay) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, delay);
  updatePublishState();
}

async function runCheck() {
  if (!S.user) return;
  if (checkBusy) { checkAgain = true; return; }
  checkBusy = true;
  const text = S.text;
  try {
    const rep = await api('POST', '/api/check', {body: text});
    setReport(rep, text);
  } catch (e) {
    if (e.status !== 401) S.checkError = errText(e);
  }
  checkBusy = false;
  if (checkAgain || text !== S.text) {
    checkAgain = false;
    if (text !== S.text) runCheck();
  }
  updatePublishState();
}

function diags() {
  return S.report && Array.isArray(S.report.diagnostics) ? S.report.diagnostics : [];
}

function setReport(rep, text) {
  if (text !== S.text) return;   /* an older text: a newer check follows */
  S.report = rep;
  S.reportText = text;
  S.checkError = '';
  renderDiagnostics();
}

function counts() {
  let e = 0, w = 0;
  for (const d of diags()) { if (d.warning) w++; else e++; }
  if (S.report && typeof S.report.errors === 'number') e = Math.max(e, S.report.errors);
  return {e, w};
}

/* Publishing needs a checked text without errors. */
function updatePublishState() {
  const btn = $('publish-btn');
  if (!btn) return;
  const fresh = S.reportText === S.text;
  const {e, w} = counts();
  /* The last check counts until the next one: typing must not enable
   * 发布 for a moment while the errors are still there. */
  const bad = S.parseError || e > 0;
  btn.disabled = bad || !!S.conflict;
  $('publish-count').textContent = bad ? ' (' + t('n_errors', e || 1) + ')' : '';
  $('publish-why').textContent = bad ? t('publish_disabled_why') : '';
  btn.title = bad ? t('publish_disabled_why') : t('publish_title_hint');
  const pb = $('problems-btn');
  pb.classList.toggle('ok', fresh && e === 0 && w === 0);
  pb.classList.toggle('has-errors', e > 0);
  pb.classList.toggle('has-warnings', e === 0 && w > 0);
  if (!fresh && !S.report) pb.textContent = t('checking');
  else if (e === 0 && w === 0) pb.textContent = '✓ ' + t('no_problems');
  else if (e === 0) pb.textContent = t('n_warnings', w);
  else pb.textContent = w ? t('n_errors_warnings', e, w) : t('n_errors', e);
}

/* --------------------------------------------------------------- save */

let saveTimer = null;
let saveChain = Promise.resolve(true);

function scheduleSave() {
  clearTimeout(saveTimer);
  if (S.conflict) return;
  saveTimer = setTimeout(() => { save(); }, 2000);
}

function dirty() {
  return S.text !== S.savedText;
}

/* Saves the current text (serialised: one PUT at a time).  Resolves true
 * when the server has the text as it was when save() was called. */
function save() {
  clearTimeout(saveTimer);
  saveChain = saveChain.then(doSave, doSave);
  return saveChain;
}

async function doSave() {
  if (!dirty()) return true;
  if (S.conflict || !S.user) return false;
  const text = S.text;
  S.saving = true;
  updateSaveStatus();
  let ok = false;
  try {
    const r = await api('PUT', '/api/draft', {body: text, headers: {'If-Match': '"' + S.rev + '"'}});
    S.rev = r.rev;
    S.savedText = text;
    S.savedAt = Date.now();
    S.saveError = '';
    if (r.report) setReport(r.report, text);
    ok = true;
  } catch (e) {
    if (e.status === 409) showConflict(e.body);
    else if (e.status !== 401) S.saveError = errText(e);
  }
  S.saving = false;
  updateSaveStatus();
  return ok && text === S.text;
}

function updateSaveStatus() {
  const el = $('save-status');
  if (!el) return;
  let s, cls = '';
  if (S.conflict) { s = t('status_conflict'); cls = 'bad'; }
  else if (S.saving) s = t('status_saving');
  else if (S.saveError) { s = t('status_save_failed', S.saveError); cls = 'bad'; }
  else if (dirty()) { s = t('status_unsaved'); cls = 'warn'; }
  else if (S.savedAt) s = t('status_saved_at', fmtClock(S.savedAt));
  else s = t('status_saved');
  el.textContent = s;
  el.className = 'save-status ' + cls;
  $('save-btn').disabled = !dirty() || !!S.conflict;
  updatePublishState();
}

/* ---------------------------------------------------------- conflicts */

function showConflict(body) {
  S.conflict = {rev: body.rev, by: body.by || '', at: body.at || 0};
  clearTimeout(saveTimer);
  renderBanners();
  updateSaveStatus();
  announce(t('conflict_title'));
}

function renderBanners() {
  const box = $('banners');
  box.textContent = '';
  if (S.conflict) {
    const c = S.conflict;
    box.append(h('div', {class: 'banner conflict', role: 'alert', id: 'conflict-banner'},
      h('div', {class: 'banner-text'},
        h('strong', null, t('conflict_title')), ' ',
        t('conflict_text', c.by || t('someone'), fmtTime(c.at))),
      h('div', {class: 'banner-actions'},
        h('button', {type: 'button', class: 'primary', id: 'conflict-load', onclick: loadTheirs},
          t('conflict_load')),
        h('button', {type: 'button', id: 'conflict-keep', onclick: keepMine}, t('conflict_keep')))));
  }
  if (S.parseError && S.tab !== 'json') {
    box.append(h('div', {class: 'banner parse', role: 'alert'},
      h('div', {class: 'banner-text'}, t('parse_banner')),
      h('div', {class: 'banner-actions'},
        h('button', {type: 'button', onclick: () => showTab('json')}, t('go_json')))));
  }
}

async function loadTheirs() {
  try {
    const d = await api('GET', '/api/draft');
    S.conflict = null;
    setDraft(d);
    renderBanners();
    toast(t('loaded_theirs'));
  } catch (e) {
    toast(errText(e), 'error');
  }
}

async function keepMine() {
  const ok = await confirmDialog(t('keep_title'), t('keep_text'), t('conflict_keep'), true);
  if (!ok || !S.conflict) return;
  S.rev = S.conflict.rev;
  S.conflict = null;
  renderBanners();
  save();
}

/* A draft from the server (start, load theirs, after a rollback). */
function setDraft(d) {
  S.rev = d.rev;
  S.by = d.by || '';
  S.at = d.at || 0;
  if (d.live !== undefined) S.live = d.live;
  S.text = d.text;
  S.savedText = d.text;
  S.saveError = '';
  S.savedAt = 0;
  textChanged({from: 'load'});
  renderSlideList();
  renderForm();
  if (S.tab === 'json') loadJsonTab();
  renderBanners();
}

/* -------------------------------------------------------- render queue */

/* The server draws one slide at a time per user (429 "busy" otherwise), so
 * every picture goes through this queue: the big preview first (only the
 * latest wanted one), then a version's preview in the history tab, then the
 * thumbnails.  Results are keyed by what they show (the top-level fields
 * and the one slide), so unchanged slides are not drawn again. */
const R = {
  busy: false, timer: null, retry: null,
  big: null, bigShown: null, bigUrl: null, bigState: '', bigError: '', renders: 0,
  hist: null,
  thumbs: new Map(),          /* key -> {url} | {bad: true} */
  lastThumb: new WeakMap()    /* slide object -> last url shown for it */
};

function topKey() {
  const o = {};
  for (const k of Object.keys(S.doc || {})) if (k !== 'slides') o[k] = S.doc[k];
  return JSON.stringify(o);
}

function slideKey(i, top) {
  return (top || topKey()) + '\u0000' + JSON.stringify(slides()[i]);
}

function previewSize() {
  const v = ($('preview-size').value || '1920x1080').split('x');
  return [Number(v[0]), Number(v[1])];
}

function schedulePreview(delay) {
  clearTimeout(R.timer);
  R.pending = true;
  R.timer = setTimeout(() => { R.pending = false; wantBig(); pump(); }, delay);
  showPreviewState();
}

function previewIndex() {
  const n = slides().length;
  if (n === 0) return -1;
  return S.sel >= 0 && S.sel < n ? S.sel : 0;
}

function wantBig() {
  const i = previewIndex();
  if (!S.doc || S.parseError || i < 0) {
    R.big = null;
  } else {
    const [w, hh] = previewSize();
    R.big = {kind: 'big', key: slideKey(i) + '\u0000' + w + 'x' + hh, text: S.text, index: i, w, h: hh,
             obj: slides()[i]};
  }
  showPreviewState();
}

function nextThumb() {
  if (!S.doc || S.parseError || R.pending) return null;
  const top = topKey();
  const list = slides();
  /* The selected slide's neighbours first: they are on screen. */
  const order = [];
  const c = Math.max(0, S.sel);
  for (let d = 0; d < list.length; d++) {
    if (c + d < list.length) order.push(c + d);
    if (d > 0 && c - d >= 0) order.push(c - d);
  }
  for (const i of order) {
    const key = slideKey(i, top);
    if (!R.thumbs.has(key)) return {kind: 'thumb', key, text: S.text, index: i, w: THUMB_W, h: THUMB_H};
  }
  return null;
}

async function pump() {
  if (R.busy || !S.user || S.sessionLost) return;
  let job = null;
  if (R.big && R.big.key !== R.bigShown) job = R.big;
  else if (R.hist && !R.hist.done) job = R.hist;
  else job = nextThumb();
  if (!job) return;
  R.busy = true;
  showPreviewState();
  let result;
  try {
    const res = await fetch('/api/preview?slide=' + job.index + '&w=' + job.w + '&h=' + job.h, {
      method: 'POST', credentials: 'same-origin', body: job.text,
      headers: {'X-CSRF-Token': S.csrf || '', 'Content-Type': 'application/json'}
    });
    if (res.status === 429) {
      result = {busy: true};
    } else if (res.ok) {
      result = {url: URL.createObjectURL(await res.blob())};
    } else {
      let b = {};
      try { b = await res.json(); } catch (e) { b = {}; }
      if (res.status === 401) sessionLost();
      result = {status: res.status, body: b || {}};
    }
  } catch (e) {
    result = {status: 0, body: {}};
  }
  R.busy = false;
  if (result.busy || result.status === 0) {
    /* Another render of ours is still running (a second tab?), or the
     * network hiccupped: try again shortly. */
    clearTimeout(R.retry);
    R.retry = setTimeout(pump, result.busy ? 300 + Math.random() * 300 : 3000);
    showPreviewState();
    return;
  }
  if (result.status === 401) return;
  finishJob(job, result);
  pump();
}

function finishJob(job, result) {
  if (job.kind === 'big') {
    R.bigShown = job.key;
    if (result.url) {
      const img = $('preview-img');
      const old = R.bigUrl;
      R.bigUrl = result.url;
      img.src = result.url;
      img.hidden = false;
      img.classList.remove('stale');
      img.alt = t('preview_alt', job.index + 1);
      img.dataset.size = job.w + 'x' + job.h;
      $('preview-frame').classList.toggle('portrait', job.h > job.w);
      R.renders++;
      $('preview-frame').dataset.renders = String(R.renders);
      R.bigState = 'ok';
      R.bigObj = job.obj;
      if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
    } else if (result.status === 422) {
      R.bigState = 'invalid';
      /* Another slide's picture would mislead: show none. */
      if (R.bigObj !== job.obj) $('preview-img').hidden = true;
    } else {
      R.bigState = 'error';
      R.bigError = errText(new ApiError(result.status, result.body));
    }
    R.bigIndex = job.index;
    showPreviewState();
  } else if (job.kind === 'hist') {
    job.done = true;
    showHistPreview(job, result);
  } else {
    R.thumbs.set(job.key, result.url ? {url: result.url} : {bad: true});
    updateThumbs();
    evictThumbs();
  }
}

function evictThumbs() {
  if (R.thumbs.size < 3 * slides().length + 40) return;
  const top = topKey();
  const live = new Set(slides().map((s, i) => slideKey(i, top)));
  for (const [k, v] of R.thumbs) {
    if (!live.has(k)) {
      if (v.url) URL.revokeObjectURL(v.url);
      R.thumbs.delete(k);
    }
  }
  R.lastThumb = new WeakMap();
  updateThumbs();
}

/* -------------------------------------------------------- big preview */

function showPreviewState() {
  const st = $('preview-status');
  const img = $('preview-img');
  const empty = $('preview-empty');
  const meta = $('preview-meta');
  if (!st) return;
  const [w, hh] = previewSize();
  $('preview-frame').classList.toggle('portrait', hh > w);
  const i = previewIndex();
  let msg = '', cls = '';
  if (S.parseError) {
    msg = t('preview_parse');
    cls = 'bad';
  } else if (!S.doc) {
    msg = '';
  } else if (i < 0) {
    msg = t('preview_none');
  } else if (R.big && R.big.key !== R.bigShown) {
    msg = t('preview_updating');
  } else if (R.bigState === 'invalid') {
    msg = t('preview_invalid');
    cls = 'bad';
  } else if (R.bigState === 'error') {
    msg = t('preview_error', R.bigError);
    cls = 'bad';
  }
  img.classList.toggle('stale', R.bigState !== 'ok' || !!(R.big && R.big.key !== R.bigShown) || S.parseError);
  empty.hidden = !img.hidden;
  empty.textContent = img.hidden ? (msg || t('preview_waiting')) : '';
  st.textContent = msg;
  st.className = 'preview-status ' + cls;
  if (i >= 0 && S.doc && !S.parseError) {
    const s = slideAt(i);
    meta.textContent = t('preview_meta', w + '×' + hh, i + 1, typeName(s && s.type)) +
      (S.sel < 0 ? ' · ' + t('preview_deck_note') : '');
  } else {
    meta.textContent = '';
  }
  const pa = $('preview-alert');
  pa.hidden = !hasEmergency();
  pa.textContent = pa.hidden ? '' : t('preview_emergency');
  renderFacts();
}

/* Under the preview: how the selected slide plays, in words. */
function renderFacts() {
  const dl = $('slide-facts');
  dl.textContent = '';
  if (!S.doc || S.parseError) return;
  const defs = isObj(S.doc.defaults) ? S.doc.defaults : {};
  const dd = typeof defs.duration === 'number' ? defs.duration : DEFAULT_DURATION;
  const dt = typeof defs.transition === 'string' ? defs.transition : 'fade';
  const add = (k, v) => dl.append(h('dt', null, k), h('dd', null, v));
  if (S.sel < 0) {
    add(t('fld_slides'), t('n_slides', slides().length));
    add(t('fld_duration'), t('facts_seconds', dd));
    add(t('fld_transition'), has('tr_' + dt) ? t('tr_' + dt) : dt);
    const a = S.doc.alert;
    add(t('fld_alert'), isObj(a) && has('alert_' + a.level) ? t('alert_' + a.level) : t('alert_none'));
    return;
  }
  const s = slideAt(S.sel);
  if (!s) return;
  add(t('fld_duration'), typeof s.duration === 'number' ? t('facts_seconds', s.duration)
                                                        : t('facts_seconds', dd) + ' ' + t('facts_default'));
  const tr = typeof s.transition === 'string' ? s.transition : dt;
  add(t('fld_transition'), (has('tr_' + tr) ? t('tr_' + tr) : tr) + (s.transition ? '' : ' ' + t('facts_default')));
  add(t('fld_when'), whenSummary(s.when));
  add(t('fld_sites'), Array.isArray(s.sites) && s.sites.length ? s.sites.join(', ') : t('sites_all'));
}

/* ---------------------------------------------------------- slide list */

function typeName(type) {
  return typeof type === 'string' && has('type_' + type) ? t('type_' + type) : (type ? String(type) : t('type_unknown'));
}

function slideSummary(s) {
  if (!isObj(s)) return t('not_object');
  const pick = (v) => (typeof v === 'string' && v.trim() ? v.trim() : '');
  let x = pick(s.title) || pick(s.text) || pick(s.caption);
  if (!x && Array.isArray(s.cards) && isObj(s.cards[0])) x = pick(s.cards[0].heading);
  if (!x && Array.isArray(s.milestones) && isObj(s.milestones[0])) x = pick(s.milestones[0].label);
  if (!x && Array.isArray(s.items)) x = pick(s.items[0]);
  if (!x && s.type === 'image') x = pick(s.src).replace(/^.*\//, '');
  return x || t('untitled');
}

function slideItem(s, i) {
  const o = isObj(s) ? s : {};
  const sel = i === S.sel;
  const flags = [];
  if (isObj(o.when)) flags.push(h('span', {class: 'flag flag-when', title: t('flag_when_title')}, t('flag_when')));
  if (Array.isArray(o.sites) && o.sites.length) {
    flags.push(h('span', {class: 'flag flag-sites', title: t('flag_sites_title', o.sites.join(', '))}, t('flag_sites')));
  }
  const li = h('li', {
    class: 'slide-item' + (sel ? ' selected' : ''), role: 'option', id: 'slide-opt-' + i,
    'aria-selected': String(sel), tabindex: sel ? '0' : '-1', 'data-index': String(i),
    'data-flags': flagKey(s)
  },
  h('span', {class: 'thumb', 'aria-hidden': 'true'},
    h('img', {alt: '', draggable: 'false', hidden: true}),
    h('span', {class: 'slide-num'}, String(i + 1))),
  h('span', {class: 'slide-info'},
    h('span', {class: 'slide-type'}, h('span', {class: 'type-name'}, typeName(o.type)), flags,
      h('span', {class: 'badge-area'})),
    h('span', {class: 'slide-title'}, slideSummary(s))));
  return li;
}

function flagKey(s) {
  const o = isObj(s) ? s : {};
  return String(o.type) + (isObj(o.when) ? ' when' : '') + (Array.isArray(o.sites) && o.sites.length ? ' sites' : '');
}

function renderSlideList() {
  const ol = $('slide-list');
  const hadFocus = ol.contains(document.activeElement);
  ol.textContent = '';
  const list = slides();
  list.forEach((s, i) => ol.append(slideItem(s, i)));
  if (!ol.querySelector('[tabindex="0"]') && ol.firstChild) ol.firstChild.tabIndex = 0;
  $('slide-count').textContent = S.doc ? t('n_slides', list.length) : '';
  $('deck-item').classList.toggle('selected', S.sel < 0);
  $('deck-item').setAttribute('aria-pressed', String(S.sel < 0));
  $('add-slide-btn').disabled = !S.doc || S.parseError || list.length >= MAX_SLIDES;
  ol.classList.toggle('disabled', S.parseError);
  updateThumbs();
  renderListBadges();
  if (hadFocus && S.sel >= 0) focusSlideItem(S.sel);
}

/* Typing changes the captions only. */
function refreshListLabels() {
  const ol = $('slide-list');
  const list = slides();
  if (ol.children.length !== list.length) { renderSlideList(); return; }
  if (list.some((s, i) => ol.children[i].dataset.flags !== flagKey(s))) { renderSlideList(); return; }
  list.forEach((s, i) => {
    const li = ol.children[i];
    const cap = li.querySelector('.slide-title');
    const x = slideSummary(s);
    if (cap.textContent !== x) cap.textContent = x;
    li.setAttribute('aria-label', slideAria(i));
  });
  updateThumbs();
}

function slideAria(i) {
  const s = slideAt(i) || {};
  const n = slideProblemCount(i);
  let a = t('slide_aria', i + 1, typeName(s.type), slideSummary(s));
  if (n.e) a += ', ' + t('n_errors', n.e);
  else if (n.w) a += ', ' + t('n_warnings', n.w);
  return a;
}

function slideProblemCount(i) {
  let e = 0, w = 0;
  for (const d of diags()) {
    if (slideIndexOf(d.path || '') === i) { if (d.warning) w++; else e++; }
  }
  return {e, w};
}

function renderListBadges() {
  const ol = $('slide-list');
  [...ol.children].forEach((li, i) => {
    const n = slideProblemCount(i);
    const area = li.querySelector('.badge-area');
    area.textContent = '';
    if (n.e) area.append(h('span', {class: 'badge err', title: t('n_errors', n.e)}, '✕ ' + n.e));
    else if (n.w) area.append(h('span', {class: 'badge warn', title: t('n_warnings', n.w)}, '! ' + n.w));
    li.classList.toggle('has-error', n.e > 0);
    li.setAttribute('aria-label', slideAria(i));
  });
  let e = 0, w = 0;
  for (const d of diags()) {
    const p = d.path || '';
    if (p && slideIndexOf(p) < 0) { if (d.warning) w++; else e++; }
  }
  const db = $('deck-badges');
  db.textContent = '';
  if (e) db.append(h('span', {class: 'badge err', title: t('n_errors', e)}, '✕ ' + e));
  else if (w) db.append(h('span', {class: 'badge warn', title: t('n_warnings', w)}, '! ' + w));
}

function updateThumbs() {
  if (!S.doc || S.parseError) return;
  const ol = $('slide-list');
  const top = topKey();
  const list = slides();
  [...ol.children].forEach((li, i) => {
    if (i >= list.length) return;
    const img = li.querySelector('.thumb img');
    const box = li.querySelector('.thumb');
    const e = R.thumbs.get(slideKey(i, top));
    const obj = isObj(list[i]) ? list[i] : null;
    let url = null, stale = false, bad = false;
    if (e && e.url) {
      url = e.url;
      if (obj) R.lastThumb.set(obj, url);
    } else {
      url = obj ? R.lastThumb.get(obj) || null : null;
      stale = true;
      bad = !!(e && e.bad);
    }
    if (url) {
      if (img.getAttribute('src') !== url) img.src = url;
      img.hidden = false;
    } else {
      img.hidden = true;
    }
    box.classList.toggle('stale', stale && !!url);
    box.classList.toggle('bad', bad);
    box.classList.toggle('empty', !url);
  });
}

function focusSlideItem(i) {
  const li = $('slide-opt-' + i);
  if (!li) return;
  for (const x of $('slide-list').children) x.tabIndex = -1;
  li.tabIndex = 0;
  li.focus();
  li.scrollIntoView({block: 'nearest'});
}

function selectSlide(i, focus) {
  S.sel = i;
  const ol = $('slide-list');
  [...ol.children].forEach((li, k) => {
    const on = k === i;
    li.classList.toggle('selected', on);
    li.setAttribute('aria-selected', String(on));
    li.tabIndex = on ? 0 : -1;
  });
  if (i < 0 && ol.firstChild) ol.firstChild.tabIndex = 0;
  $('deck-item').classList.toggle('selected', i < 0);
  $('deck-item').setAttribute('aria-pressed', String(i < 0));
  if (S.tab !== 'edit') showTab('edit');
  renderForm();
  schedulePreview(0);
  if (focus && i >= 0) focusSlideItem(i);
}

function moveSlide(from, to, how) {
  const list = slides();
  if (to < 0 || to >= list.length || from === to) return;
  const [s] = list.splice(from, 1);
  list.splice(to, 0, s);
  if (S.sel === from) S.sel = to;
  else if (from < S.sel && to >= S.sel) S.sel--;
  else if (from > S.sel && to <= S.sel) S.sel++;
  docChanged(true);
  renderForm({keepScroll: true});
  if (how === 'key') focusSlideItem(to);
  announce(t('moved', from + 1, to + 1));
}

function uniqueId(base) {
  const ids = new Set(slides().map((s) => (isObj(s) ? s.id : null)));
  let n = 2;
  while (ids.has(base + '-' + n)) n++;
  return base + '-' + n;
}

function duplicateSlide(i) {
  const list = slides();
  if (list.length >= MAX_SLIDES) return;
  const c = clone(list[i]);
  if (isObj(c) && typeof c.id === 'string' && c.id) c.id = uniqueId(c.id);
  list.splice(i + 1, 0, c);
  S.sel = i + 1;
  docChanged(true);
  renderForm();
  focusSlideItem(S.sel);
  announce(t('duplicated', i + 1));
}

async function deleteSlide(i) {
  const s = slideAt(i);
  const ok = await confirmDialog(t('delete_title', i + 1),
                                 t('delete_text', typeName(s && s.type), slideSummary(s)),
                                 t('delete'), true);
  if (!ok) return;
  slides().splice(i, 1);
  const n = slides().length;
  if (S.sel > i || S.sel >= n) S.sel = Math.min(n - 1, Math.max(0, S.sel - 1));
  if (n === 0) S.sel = -1;
  docChanged(true);
  renderForm();
  schedulePreview(0);
  if (S.sel >= 0) focusSlideItem(S.sel); else $('add-slide-btn').focus();
  toast(t('deleted', i + 1));
}

function newSlide(type) {
  switch (type) {
  case 'title': return {type, title: ''};
  case 'list': return {type, title: '', items: ['']};
  case 'cards': return {type, title: '', cards: [{heading: ''}]};
  case 'timeline': return {type, title: '', milestones: [{date: '', label: ''}]};
  case 'countdown': return {type, title: '', target: ''};
  case 'quote': return {type, text: ''};
  case 'image': return {type, src: ''};
  }
  return {type};
}

const TYPE_ICON = {title: 'Aa', list: '☰', cards: '▦', timeline: '—●—', countdown: '⏱', quote: '❝', image: '▣'};

function openAddDialog() {
  const grid = $('type-grid');
  grid.textContent = '';
  for (const type of TYPES) {
    grid.append(h('button', {type: 'button', class: 'type-card', 'data-type': type, onclick: () => addSlide(type)},
      h('span', {class: 'type-icon', 'aria-hidden': 'true'}, TYPE_ICON[type]),
      h('span', {class: 'type-text'},
        h('strong', null, typeName(type)),
        h('span', {class: 'type-desc'}, t('type_desc_' + type)))));
  }
  $('dlg-add').showModal();
  grid.firstChild.focus();
}

function addSlide(type) {
  $('dlg-add').close();
  if (!Array.isArray(S.doc.slides)) S.doc.slides = [];
  const list = slides();
  const at = S.sel >= 0 ? S.sel + 1 : list.length;
  list.splice(at, 0, newSlide(type));
  S.sel = at;
  docChanged(true);
  if (S.tab !== 'edit') showTab('edit');
  renderForm({focusFirst: true});
  const li = $('slide-opt-' + at);
  if (li) li.scrollIntoView({block: 'nearest'});
  schedulePreview(0);
  announce(t('added', typeName(type), at + 1));
}

/* Keyboard: ↑/↓ select, Alt+↑/Alt+↓ move, Home/End, Delete. */
function onListKey(ev) {
  const li = ev.target.closest('.slide-item');
  if (!li) return;
  const i = Number(li.dataset.index);
  const n = slides().length;
  if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
    ev.preventDefault();
    const d = ev.key === 'ArrowUp' ? -1 : 1;
    if (ev.altKey) {
      if (i + d >= 0 && i + d < n) {
        if (S.sel !== i) S.sel = i;
        moveSlide(i, i + d, 'key');
      }
    } else if (i + d >= 0 && i + d < n) {
      selectSlide(i + d, true);
    }
  } else if (ev.key === 'Home' || ev.key === 'End') {
    ev.preventDefault();
    if (n) selectSlide(ev.key === 'Home' ? 0 : n - 1, true);
  } else if (ev.key === 'Delete') {
    ev.preventDefault();
    deleteSlide(i);
  } else if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    selectSlide(i, true);
    const f = $('form-pane').querySelector('input,textarea,select');
    if (f && ev.key === 'Enter') f.focus();
  }
}

/* Dragging with pointer events (mouse, pen and touch alike). */
let drag = null, dragClickBlock = false;

function wireListDrag() {
  const ol = $('slide-list');
  ol.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 || S.parseError) return;
    const li = ev.target.closest('.slide-item');
    if (!li) return;
    drag = {li, from: Number(li.dataset.index), y0: ev.clientY, id: ev.pointerId, on: false, to: null};
  });
  ol.addEventListener('pointermove', (ev) => {
    if (!drag || ev.pointerId !== drag.id) return;
    if (!drag.on) {
      if (Math.abs(ev.clientY - drag.y0) < 6) return;
      drag.on = true;
      drag.li.classList.add('dragging');
      ol.classList.add('drag-active');
      try { ol.setPointerCapture(ev.pointerId); } catch (e) { /* not needed */ }
    }
    ev.preventDefault();
    const items = [...ol.children];
    let to = items.length;
    for (let k = 0; k < items.length; k++) {
      const r = items[k].getBoundingClientRect();
      if (ev.clientY < r.top + r.height / 2) { to = k; break; }
    }
    drag.to = to;
    items.forEach((x) => x.classList.remove('drop-before', 'drop-after'));
    if (to < items.length) items[to].classList.add('drop-before');
    else if (items.length) items[items.length - 1].classList.add('drop-after');
    const r = ol.getBoundingClientRect();
    if (ev.clientY < r.top + 30) ol.scrollTop -= 12;
    else if (ev.clientY > r.bottom - 30) ol.scrollTop += 12;
  });
  const end = (ev, cancel) => {
    if (!drag || ev.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    ol.classList.remove('drag-active');
    [...ol.children].forEach((x) => x.classList.remove('drop-before', 'drop-after', 'dragging'));
    if (!d.on || cancel || d.to === null) return;
    dragClickBlock = true;
    setTimeout(() => { dragClickBlock = false; }, 0);
    let to = d.to;
    if (to > d.from) to--;
    S.sel = d.from;
    if (to !== d.from) moveSlide(d.from, to, 'drag');
    selectSlide(to, true);
  };
  ol.addEventListener('pointerup', (ev) => end(ev, false));
  ol.addEventListener('pointercancel', (ev) => end(ev, true));
  ol.addEventListener('click', (ev) => {
    if (dragClickBlock) return;
    const li = ev.target.closest('.slide-item');
    if (li) selectSlide(Number(li.dataset.index), true);
  });
  ol.addEventListener('keydown', onListKey);
}

/* -------------------------------------------------------- form fields */

/* FM: diagnostic path -> field box of the form on screen, so that each
 * message of the server lands next to its field. */
let FM = new Map();

function register(path, w) {
  const k = typeof path === 'string' ? path : pstr(path);
  if (!FM.has(k)) FM.set(k, w);
}

function describe(el, id) {
  const cur = el.getAttribute('aria-describedby');
  el.setAttribute('aria-describedby', cur ? cur + ' ' + id : id);
}

/* A field box: label (with a required mark and a counter), the control, a
 * hint and the messages.  o: {path, label, required, hint, alias, cls}. */
function fieldBox(o, labelFor, control, counter) {
  const msgs = h('div', {class: 'field-msgs', id: uid('msg')});
  const labelEl = h(labelFor ? 'label' : 'span', {class: 'field-label', for: labelFor || null, id: o.labelId || null},
    o.label, o.required ? h('span', {class: 'req', title: t('required')}, ' *') : null);
  const w = h('div', {class: 'field' + (o.cls ? ' ' + o.cls : ''), 'data-path': pstr(o.path)},
    h('div', {class: 'field-head'}, labelEl, counter || null),
    control,
    o.hint ? h('p', {class: 'hint'}, o.hint) : null,
    msgs);
  w._msgs = msgs;
  w._focus = o.focusEl || (control.matches('input,textarea,select') ? control
                           : control.querySelector('input,textarea,select,button'));
  register(o.path, w);
  (o.alias || []).forEach((a) => register(a, w));
  if (w._focus) describe(w._focus, msgs.id);
  return w;
}

function textField(o) {
  const id = uid('in');
  const v = getAt(o.path);
  const input = o.multiline ? h('textarea', {id, rows: o.rows || 2}) : h('input', {id, type: 'text', autocomplete: 'off'});
  input.value = typeof v === 'string' ? v : (v === undefined || v === null ? '' : JSON.stringify(v));
  if (o.placeholder) input.placeholder = o.placeholder;
  if (o.required) input.setAttribute('aria-required', 'true');
  if (o.mono) input.classList.add('mono');
  const counter = h('span', {class: 'counter', id: uid('cnt')});
  describe(input, counter.id);
  const over = h('p', {class: 'hint over-hint', hidden: true});
  const update = () => {
    const n = chars(input.value);
    const b = utf8Bytes(input.value);
    const tooLong = b > TEXT_MAX_BYTES;
    counter.textContent = o.suggest ? n + '/' + o.suggest : (n ? String(n) : '');
    counter.title = o.suggest ? t('counter_title', n, o.suggest) : '';
    counter.classList.toggle('over', !!o.suggest && n > o.suggest && !tooLong);
    counter.classList.toggle('too-long', tooLong);
    over.hidden = !(tooLong || (o.suggest && n > o.suggest));
    over.textContent = tooLong ? t('too_long_bytes', b, TEXT_MAX_BYTES) : t('over_suggest', o.suggest);
  };
  let last = input.value;
  const onInput = () => {
    const val = input.value;
    if (val === last) return;
    last = val;
    setAt(o.path, val === '' && !o.required ? undefined : val);
    if (o.prune) pruneEmpty(o.prune);
    if (o.after) o.after(val);
    update();
    docChanged(false);
  };
  input.addEventListener('input', onInput);
  input.addEventListener('change', onInput);
  update();
  const w = fieldBox(o, id, input, o.noCounter ? null : counter);
  w.insertBefore(over, w._msgs);
  return w;
}

function selectField(o) {
  const id = uid('sel');
  const v = getAt(o.path);
  const sel = h('select', {id}, o.options.map(([val, lab]) => h('option', {value: val}, lab)));
  let cur = v === undefined || v === null ? '' : String(v);
  if (![...sel.options].some((op) => op.value === cur)) sel.append(h('option', {value: cur}, cur));
  sel.value = cur;
  sel.addEventListener('change', async () => {
    const val = sel.value;
    if (o.confirm && !(await o.confirm(val, cur))) {
      sel.value = cur;
      return;
    }
    if (o.set) o.set(val);
    else setAt(o.path, val === '' ? undefined : (o.number ? Number(val) : val));
    if (o.prune) pruneEmpty(o.prune);
    cur = val;
    docChanged(!!o.structural);
    if (o.rebuild) renderForm({keepScroll: true, focusPath: o.path});
  });
  return fieldBox(o, id, sel);
}

function checkField(o) {
  const id = uid('chk');
  const box = h('input', {type: 'checkbox', id, checked: getAt(o.path) === true});
  box.addEventListener('change', () => {
    setAt(o.path, box.checked ? true : undefined);
    docChanged(false);
  });
  const w = h('div', {class: 'field check-field', 'data-path': pstr(o.path)},
    h('label', {class: 'check', for: id}, box, ' ', o.label),
    o.hint ? h('p', {class: 'hint'}, o.hint) : null);
  const msgs = h('div', {class: 'field-msgs', id: uid('msg')});
  w.append(msgs);
  w._msgs = msgs;
  w._focus = box;
  describe(box, msgs.id);
  register(o.path, w);
  return w;
}

function numberField(o) {
  const id = uid('num');
  const v = getAt(o.path);
  const input = h('input', {type: 'number', id, min: o.min, max: o.max, step: o.step || 'any', inputmode: 'decimal',
                            class: 'num', placeholder: o.placeholder || ''});
  input.value = typeof v === 'number' ? String(v) : (v === undefined ? '' : String(v));
  input.addEventListener('input', () => {
    const s = input.value.trim();
    if (s === '') setAt(o.path, undefined);
    else if (Number.isFinite(Number(s))) setAt(o.path, Number(s));
    else return;
    if (o.prune) pruneEmpty(o.prune);
    docChanged(false);
  });
  const control = h('div', {class: 'inline'}, input, o.unit ? h('span', {class: 'unit'}, o.unit) : null);
  return fieldBox(o, id, control);
}

const HEX = /^#[0-9a-fA-F]{6}$/;

function colourField(o) {
  const id = uid('col');
  const v = getAt(o.path);
  const txt = h('input', {type: 'text', id, class: 'colour-text mono', maxlength: '7', spellcheck: 'false',
                          placeholder: o.def, autocomplete: 'off'});
  txt.value = typeof v === 'string' ? v : '';
  const pick = h('input', {type: 'color', class: 'colour-pick', 'aria-label': t('pick_colour', o.label)});
  pick.value = HEX.test(txt.value) ? txt.value.toLowerCase() : o.def;
  const reset = h('button', {type: 'button', class: 'link small'}, t('use_default'));
  const set = (val) => {
    setAt(o.path, val === '' ? undefined : val);
    if (o.prune) pruneEmpty(o.prune);
    docChanged(false);
  };
  pick.addEventListener('input', () => { txt.value = pick.value; set(pick.value); });
  txt.addEventListener('input', () => {
    const val = txt.value.trim();
    if (HEX.test(val)) pick.value = val.toLowerCase();
    set(val);
  });
  reset.addEventListener('click', () => { txt.value = ''; pick.value = o.def; set(''); txt.focus(); });
  const control = h('div', {class: 'inline'}, pick, txt, reset);
  return fieldBox(Object.assign({hint: o.hint || t('colour_default', o.def)}, o), id, control);
}

/* A TIME ("2026-12-01" or "2026-12-01 08:00") with a date and a time
 * picker; other shapes (seconds, time zones) get a text box. */
const TIME_RE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::00)?)?$/;

function timeField(o) {
  const v = getAt(o.path);
  const m = typeof v === 'string' ? TIME_RE.exec(v) : null;
  if (v !== undefined && v !== '' && !m) {
    return textField(Object.assign({}, o, {placeholder: '2026-12-01 08:00', mono: true, noCounter: true}));
  }
  const id = uid('date');
  const date = h('input', {type: 'date', id, class: 'date'});
  date.value = m ? m[1] : '';
  const time = h('input', {type: 'time', class: 'time', 'aria-label': t('time_of', o.label)});
  time.value = m && m[2] ? m[2] : '';
  const clear = h('button', {type: 'button', class: 'link small'}, t('clear'));
  const note = h('p', {class: 'hint over-hint', hidden: true}, t('date_first'));
  const write = () => {
    const d = date.value, tm = time.value;
    note.hidden = !(tm && !d);
    let val;
    if (d) val = tm ? d + ' ' + tm : d;
    else val = o.required ? '' : undefined;
    setAt(o.path, val);
    if (o.prune) pruneEmpty(o.prune);
    docChanged(false);
  };
  for (const el of [date, time]) {
    el.addEventListener('input', write);
    el.addEventListener('change', write);
  }
  clear.addEventListener('click', () => { date.value = ''; time.value = ''; write(); date.focus(); });
  const control = h('div', {}, h('div', {class: 'inline'}, date, time, clear), note);
  return fieldBox(o, id, control);
}

/* One list of texts (list items, ticker lines): a row per text with ↑ ↓ ✕. */
function rowTools(path, i, n, what, after) {
  const move = (d) => {
    const a = getAt(path);
    const [x] = a.splice(i, 1);
    a.splice(i + d, 0, x);
    docChanged(true);
    renderForm({keepScroll: true, focusSel: '[data-tool="' + pstr(path) + ':' + (i + d) + ':' + (d < 0 ? 'up' : 'down') + '"]'});
  };
  const del = () => {
    getAt(path).splice(i, 1);
    if (after) after();
    docChanged(true);
    const left = getAt(path).length;
    renderForm({keepScroll: true, focusPath: left ? path.concat(Math.min(i, left - 1)) : path});
  };
  return h('div', {class: 'row-tools'},
    h('button', {type: 'button', class: 'icon', title: t('move_up'), 'aria-label': t('move_up_n', what, i + 1),
                 disabled: i === 0, 'data-tool': pstr(path) + ':' + i + ':up', onclick: () => move(-1)}, '↑'),
    h('button', {type: 'button', class: 'icon', title: t('move_down'), 'aria-label': t('move_down_n', what, i + 1),
                 disabled: i === n - 1, 'data-tool': pstr(path) + ':' + i + ':down', onclick: () => move(1)}, '↓'),
    h('button', {type: 'button', class: 'icon danger', title: t('remove'), 'aria-label': t('remove_n', what, i + 1),
                 onclick: del}, '✕'));
}

function addRow(path, item, focusSub) {
  if (!Array.isArray(getAt(path))) setAt(path, []);
  const a = getAt(path);
  a.push(item);
  docChanged(true);
  const p = path.concat(a.length - 1);
  renderForm({keepScroll: true, focusPath: focusSub ? p.concat(focusSub) : p});
}

function textListField(o) {
  const arr = getAt(o.path);
  const items = Array.isArray(arr) ? arr : [];
  const rows = h('ol', {class: 'rows'});
  let counter = null;
  const updateTotal = () => {
    const cur = Array.isArray(getAt(o.path)) ? getAt(o.path) : [];
    const over = o.countOver ? o.countOver(cur) : false;
    counter.className = 'counter' + (over ? ' over' : cur.length > o.max ? ' too-long' : '');
    counter.textContent = o.countText ? o.countText(cur) : cur.length + '/' + o.max;
  };
  items.forEach((v, i) => {
    const f = textField({path: o.path.concat(i), label: o.itemLabel(i), required: true, after: updateTotal,
                         suggest: o.suggest, cls: 'row-field', multiline: o.multiline});
    rows.append(h('li', {class: 'row'}, f, rowTools(o.path, i, items.length, o.what)));
  });
  const add = h('button', {type: 'button', class: 'add-row', disabled: items.length >= o.max,
                           onclick: () => addRow(o.path, '')}, '＋ ' + o.addLabel);
  counter = h('span', {class: 'counter'});
  updateTotal();
  const control = h('div', {class: 'list-control'}, rows, add);
  return fieldBox(Object.assign({cls: 'list-field', focusEl: items.length ? null : add}, o), null, control, counter);
}

/* A list of objects (cards, milestones): a group of fields per object. */
function objListField(o) {
  const arr = getAt(o.path);
  const items = Array.isArray(arr) ? arr : [];
  const rows = h('ol', {class: 'rows obj-rows'});
  items.forEach((v, i) => {
    const p = o.path.concat(i);
    const group = h('fieldset', {class: 'obj-row'},
      h('legend', null, o.itemLabel(i)),
      isObj(v) ? o.row(p, v) : h('p', {class: 'notice'}, t('not_object')));
    register(p, group);
    group._msgs = h('div', {class: 'field-msgs'});
    group.append(group._msgs);
    rows.append(h('li', {class: 'row'}, group, rowTools(o.path, i, items.length, o.what)));
  });
  const add = h('button', {type: 'button', class: 'add-row', disabled: items.length >= o.max,
                           onclick: () => addRow(o.path, o.newItem(), o.focusSub)}, '＋ ' + o.addLabel);
  const counter = h('span', {class: 'counter'}, items.length + '/' + o.max);
  const control = h('div', {class: 'list-control'}, rows, add);
  return fieldBox(Object.assign({cls: 'list-field', focusEl: add}, o), null, control, counter);
}

/* Weekday checkboxes for when.days. */
function daysField(o) {
  const v = getAt(o.path);
  const cur = new Set(Array.isArray(v) ? v : []);
  const boxes = [];
  const write = () => {
    const days = DAYS.filter((d, k) => boxes[k].checked);
    setAt(o.path, days.length ? days : undefined);
    pruneEmpty(o.prune);
    docChanged(false);
  };
  const labels = DAYS.map((d, k) => {
    const id = uid('day');
    const b = h('input', {type: 'checkbox', id, value: d, checked: cur.has(d), 'data-day': d});
    b.addEventListener('change', write);
    boxes.push(b);
    return h('label', {class: 'day', for: id}, b, h('span', null, t('day_' + d)));
  });
  const preset = (list) => () => {
    boxes.forEach((b) => { b.checked = list.includes(b.value); });
    write();
  };
  const control = h('div', {class: 'days-control'},
    h('div', {class: 'days', role: 'group', 'aria-label': o.label}, labels),
    h('div', {class: 'presets'},
      h('button', {type: 'button', class: 'link small', onclick: preset(DAYS.slice(0, 5))}, t('workdays')),
      h('button', {type: 'button', class: 'link small', onclick: preset([])}, t('every_day'))));
  return fieldBox(Object.assign({focusEl: boxes[0]}, o), null, control);
}

/* when.hours "HH:MM-HH:MM" with two time pickers. */
function hoursField(o) {
  const v = getAt(o.path);
  const m = typeof v === 'string' ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(v) : null;
  if (v !== undefined && !m) {
    return textField(Object.assign({}, o, {placeholder: '07:30-18:00', mono: true, noCounter: true}));
  }
  const id = uid('hr');
  const from = h('input', {type: 'time', id, class: 'time'});
  const to = h('input', {type: 'time', class: 'time', 'aria-label': t('hours_to_label')});
  from.value = m ? m[1] : '';
  to.value = m ? (m[2] === '24:00' ? '00:00' : m[2]) : '';
  const note = h('p', {class: 'hint', hidden: true}, t('hours_both'));
  const write = () => {
    const a = from.value, b = to.value;
    note.hidden = !!a === !!b;
    if (a && b) setAt(o.path, a + '-' + b);
    else if (!a && !b) setAt(o.path, undefined);
    else return;
    pruneEmpty(o.prune);
    docChanged(false);
  };
  for (const el of [from, to]) {
    el.addEventListener('input', write);
    el.addEventListener('change', write);
  }
  const clear = h('button', {type: 'button', class: 'link small', onclick: () => { from.value = ''; to.value = ''; write(); from.focus(); }}, t('clear'));
  const control = h('div', {}, h('div', {class: 'inline'}, from, h('span', {class: 'unit'}, t('to')), to, clear), note);
  return fieldBox(o, id, control);
}

/* Site tags: chips and a box; Enter or a comma adds. */
function sitesField(o) {
  const v = getAt(o.path);
  const sites = Array.isArray(v) ? v.slice() : [];
  const id = uid('site');
  const known = new Set();
  for (const s of slides()) if (isObj(s) && Array.isArray(s.sites)) s.sites.forEach((x) => { if (typeof x === 'string') known.add(x); });
  const listId = uid('sites-list');
  const fkey = pstr(o.path) + ':input';
  const input = h('input', {type: 'text', id, list: listId, autocomplete: 'off', spellcheck: 'false',
                            placeholder: t('site_placeholder'), 'data-focus-key': fkey});
  const write = (focusInput) => {
    setAt(o.path, sites.length ? sites.slice() : undefined);
    docChanged(true);
    renderForm({keepScroll: true, focusSel: focusInput ? '[data-focus-key="' + fkey + '"]' : null});
  };
  const addSite = (focusInput) => {
    const parts = input.value.split(/[,，\s]+/).map((x) => x.trim()).filter(Boolean);
    let added = false;
    for (const p of parts) if (!sites.includes(p)) { sites.push(p); added = true; }
    input.value = '';
    if (added) write(focusInput);
  };
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ',' || ev.key === '，') { ev.preventDefault(); addSite(true); }
    else if (ev.key === 'Backspace' && input.value === '' && sites.length) { sites.pop(); write(true); }
  });
  input.addEventListener('change', () => { if (input.value.trim()) addSite(false); });
  const chips = h('ul', {class: 'chips'}, sites.map((s, k) => h('li', {class: 'chip'},
    h('span', null, typeof s === 'string' ? s : JSON.stringify(s)),
    h('button', {type: 'button', class: 'chip-x', 'aria-label': t('remove_site', s),
                 onclick: () => { sites.splice(k, 1); write(true); }}, '×'))));
  const dl = h('datalist', {id: listId}, [...known].filter((x) => !sites.includes(x)).map((x) => h('option', {value: x})));
  const control = h('div', {class: 'sites-control'}, chips, input, dl);
  return fieldBox(Object.assign({focusEl: input}, o), id, control);
}

/* An image: upload (PNG/JPEG; the server names it by its SHA-256, and the
 * page pins it with "<key>_sha256"), or an address typed by hand. */
const UPLOADED = /^images\/([0-9a-f]{64})\.(png|jpg)$/;

function imageField(o) {
  const v = getAt(o.path);
  const src = typeof v === 'string' ? v : '';
  const pin = getAt(o.shaPath);
  const id = uid('img');
  const status = h('p', {class: 'upload-status', role: 'status'});
  const preview = h('span', {class: 'img-thumb'});
  const m = UPLOADED.exec(src);
  if (m) preview.append(h('img', {src: '/' + src, alt: t('image_thumb_alt')}));
  else preview.append(h('span', {class: 'img-none'}, src ? t('image_elsewhere') : t('image_none')));
  const upload = h('button', {type: 'button', class: 'upload-btn', 'data-upload': pstr(o.path)}, t('upload_image'));
  const addr = h('input', {type: 'text', id, class: 'mono small-input', spellcheck: 'false', autocomplete: 'off',
                           placeholder: 'images/…  https://…', 'aria-label': t('image_address_of', o.label)});
  addr.value = src;
  addr.addEventListener('input', () => {
    const val = addr.value.trim();
    setAt(o.path, val === '' && !o.required ? undefined : val);
    const mm = UPLOADED.exec(val);
    setAt(o.shaPath, mm ? mm[1] : undefined);
    if (o.prune) pruneEmpty(o.prune);
    docChanged(false);
  });
  upload.addEventListener('click', () => {
    pickFile((file) => uploadImage(file, status, (r) => {
      setAt(o.path, r.path);
      setAt(o.shaPath, r.sha256);
      docChanged(true);
      renderForm({keepScroll: true, focusSel: '[data-upload="' + pstr(o.path) + '"]'});
      toast(t('uploaded', r.width, r.height));
    }));
  });
  const clear = o.required ? null : h('button', {type: 'button', class: 'link small', onclick: () => {
    setAt(o.path, undefined);
    setAt(o.shaPath, undefined);
    if (o.prune) pruneEmpty(o.prune);
    docChanged(true);
    renderForm({keepScroll: true});
  }}, t('remove_image'));
  const pinNote = src ? h('p', {class: 'hint small'},
    typeof pin === 'string' && pin ? t('image_pinned', pin.slice(0, 12)) : t('image_unpinned')) : null;
  const control = h('div', {class: 'image-control'},
    preview,
    h('div', {class: 'image-side'},
      h('div', {class: 'inline'}, upload, clear),
      h('p', {class: 'hint small'}, t('upload_hint', Math.round(maxImageBytes() / 1048576))),
      status,
      h('details', {class: 'addr', open: !!src && !m},
        h('summary', null, t('image_address')),
        addr, pinNote)));
  return fieldBox(Object.assign({alias: [pstr(o.shaPath)], focusEl: upload}, o), null, control);
}

function maxImageBytes() {
  return S.info && S.info.limits && S.info.limits.max_image_bytes || 8388608;
}

function pickFile(cb) {
  const fi = $('file-input');
  fi.value = '';
  fi.onchange = () => { if (fi.files && fi.files[0]) cb(fi.files[0]); };
  fi.click();
}

async function uploadImage(file, status, done) {
  const type = file.type === 'image/png' || file.type === 'image/jpeg' ? file.type : '';
  if (!type && !/\.(png|jpe?g)$/i.test(file.name)) {
    status.textContent = t('upload_type');
    status.className = 'upload-status bad';
    return;
  }
  if (file.size > maxImageBytes()) {
    status.textContent = t('upload_big', (file.size / 1048576).toFixed(1), Math.round(maxImageBytes() / 1048576));
    status.className = 'upload-status bad';
    return;
  }
  status.textContent = t('uploading');
  status.className = 'upload-status';
  try {
    const r = await api('POST', '/api/images', {body: file, type: type || 'application/octet-stream'});
    status.textContent = '';
    done(r);
  } catch (e) {
    status.className = 'upload-status bad';
    if (e.status === 415) status.textContent = t('upload_type');
    else if (e.status === 413) status.textContent = t('upload_big_server', Math.round(maxImageBytes() / 1048576));
    else status.textContent = t('upload_failed', errText(e));
  }
}

/* A slide's background: the theme's, a colour or an image. */
function backgroundField(p) {
  const bp = p.concat('background');
  const v = getAt(bp);
  const mode = v === undefined ? '' : (typeof v === 'string' && HEX.test(v) ? 'colour' : 'image');
  const modeField = selectField({
    path: bp, label: t('fld_background'),
    options: [['', t('bg_theme')], ['colour', t('bg_colour')], ['image', t('bg_image')]],
    set: (val) => {
      setAt(p.concat('background_sha256'), undefined);
      if (val === '') setAt(bp, undefined);
      else if (val === 'colour') setAt(bp, '#000000');
      else setAt(bp, '');
    },
    rebuild: true
  });
  const sel = modeField.querySelector('select');
  [...sel.options].forEach((op) => { if (!['', 'colour', 'image'].includes(op.value)) op.remove(); });
  sel.value = mode;
  const out = [modeField];
  if (mode === 'colour') {
    out.push(colourField({path: bp, label: t('bg_colour'), def: '#000000', hint: ' '}));
  } else if (mode === 'image') {
    out.push(imageField({path: bp, shaPath: p.concat('background_sha256'), label: t('bg_image'), required: true}));
  }
  FM.delete(pstr(bp));
  register(bp, out[out.length - 1]);
  register(p.concat('background_sha256'), out[out.length - 1]);
  return out;
}

function section(title, children, opts) {
  opts = opts || {};
  const body = h('div', {class: 'section-body'}, children);
  if (opts.collapsible) {
    return h('details', {class: 'form-section', open: !!opts.open},
      h('summary', null, h('span', {class: 'section-title'}, title),
        opts.summary ? h('span', {class: 'section-summary'}, opts.summary) : null),
      body);
  }
  return h('section', {class: 'form-section'}, h('h3', {class: 'section-title'}, title), body);
}

function durationField(path, isDeck) {
  const d = S.doc && isObj(S.doc.defaults) && typeof S.doc.defaults.duration === 'number'
    ? S.doc.defaults.duration : DEFAULT_DURATION;
  return numberField({path, label: t('fld_duration'), min: 3, max: 600, step: 1, unit: t('seconds'),
                      placeholder: isDeck ? String(DEFAULT_DURATION) : t('default_n', d),
                      hint: isDeck ? t('duration_deck_hint') : t('duration_hint', d),
                      prune: isDeck ? ['defaults'] : null});
}

function transitionField(path, isDeck) {
  const d = S.doc && isObj(S.doc.defaults) && typeof S.doc.defaults.transition === 'string'
    ? S.doc.defaults.transition : 'fade';
  const def = isDeck ? 'fade' : (has('tr_' + d) ? d : 'fade');
  return selectField({path, label: t('fld_transition'), prune: isDeck ? ['defaults'] : null,
    options: [['', t('default_x', t('tr_' + def))], ['fade', t('tr_fade')], ['slide', t('tr_slide')], ['cut', t('tr_cut')]]});
}

/* The fields of each slide type. */
function typeFields(type, p, s) {
  const tf = (k, label, req, sug, extra) => textField(Object.assign({path: p.concat(k), label, required: req, suggest: sug}, extra || {}));
  switch (type) {
  case 'title':
    return [tf('title', t('fld_title'), true, SUGGEST.title),
            tf('subtitle', t('fld_subtitle'), false, SUGGEST.subtitle),
            tf('footer', t('fld_footer'), false, SUGGEST.footer)];
  case 'list':
    return [tf('title', t('fld_title'), true, SUGGEST.title),
            textListField({path: p.concat('items'), label: t('fld_items'), required: true, max: MAX_ITEMS,
                           suggest: SUGGEST.item, what: t('item'), itemLabel: (i) => t('item_n', i + 1),
                           addLabel: t('add_item'), hint: t('items_hint', MAX_ITEMS)}),
            checkField({path: p.concat('numbered'), label: t('fld_numbered')})];
  case 'cards':
    return [tf('title', t('fld_title'), false, SUGGEST.title),
            objListField({path: p.concat('cards'), label: t('fld_cards'), required: true, max: MAX_ITEMS,
              what: t('card'), itemLabel: (i) => t('card_n', i + 1), addLabel: t('add_card'),
              newItem: () => ({heading: ''}), focusSub: 'heading',
              row: (cp) => [textField({path: cp.concat('heading'), label: t('fld_heading'), required: true, suggest: SUGGEST.heading}),
                            textField({path: cp.concat('text'), label: t('fld_card_text'), suggest: SUGGEST.card_text, multiline: true})]})];
  case 'timeline':
    return [tf('title', t('fld_title'), false, SUGGEST.title),
            objListField({path: p.concat('milestones'), label: t('fld_milestones'), required: true, max: MAX_MILESTONES,
              what: t('milestone'), itemLabel: (i) => t('milestone_n', i + 1), addLabel: t('add_milestone'),
              newItem: () => ({date: '', label: ''}), focusSub: 'date',
              row: (mp) => [textField({path: mp.concat('date'), label: t('fld_date'), required: true, suggest: SUGGEST.date,
                                       placeholder: t('date_placeholder'), hint: t('date_hint')}),
                            textField({path: mp.concat('label'), label: t('fld_label'), required: true, suggest: SUGGEST.label}),
                            textField({path: mp.concat('text'), label: t('fld_ms_text'), suggest: SUGGEST.ms_text})]})];
  case 'countdown':
    return [tf('title', t('fld_title'), false, SUGGEST.title),
            timeField({path: p.concat('target'), label: t('fld_target'), required: true, hint: t('target_hint')}),
            tf('label', t('fld_cd_label'), false, SUGGEST.cd_label),
            tf('done_text', t('fld_done_text'), false, SUGGEST.done_text, {hint: t('done_hint')})];
  case 'quote':
    return [tf('text', t('fld_quote'), true, SUGGEST.quote, {multiline: true, rows: 3}),
            tf('source', t('fld_source'), false, SUGGEST.source)];
  case 'image':
    return [imageField({path: p.concat('src'), shaPath: p.concat('src_sha256'), label: t('fld_src'), required: true}),
            tf('caption', t('fld_caption'), false, SUGGEST.caption),
            selectField({path: p.concat('fit'), label: t('fld_fit'),
                         options: [['', t('fit_default')], ['contain', t('fit_contain')], ['cover', t('fit_cover')]]})];
  }
  return [h('p', {class: 'notice'}, t('unknown_type', String(type)))];
}

function whenSummary(w) {
  if (!isObj(w)) return t('when_always');
  const parts = [];
  if (w.from) parts.push(t('when_from', w.from));
  if (w.until) parts.push(t('when_until', w.until));
  if (Array.isArray(w.days)) parts.push(t('days_summary', w.days.map((d) => (has('dshort_' + d) ? t('dshort_' + d) : d)).join(t('days_sep'))));
  if (w.hours) parts.push(w.hours);
  return parts.join(' · ') || t('when_always');
}

function slideForm(i, s) {
  const p = ['slides', i];
  const n = slides().length;
  const tools = h('div', {class: 'form-tools'},
    h('button', {type: 'button', id: 'slide-up', disabled: i === 0, onclick: () => moveSlide(i, i - 1, 'button')}, '↑ ' + t('move_up')),
    h('button', {type: 'button', id: 'slide-down', disabled: i >= n - 1, onclick: () => moveSlide(i, i + 1, 'button')}, '↓ ' + t('move_down')),
    h('button', {type: 'button', id: 'slide-dup', onclick: () => duplicateSlide(i)}, t('duplicate')),
    h('button', {type: 'button', id: 'slide-del', class: 'danger', onclick: () => deleteSlide(i)}, t('delete')));
  const head = h('div', {class: 'form-head'},
    h('h2', {id: 'form-title'}, t('slide_heading', i + 1), h('span', {class: 'type-tag'}, typeName(s.type))),
    tools);
  const msgs = h('div', {class: 'field-msgs form-msgs'});
  const root = h('div', {class: 'form-root'});
  root._msgs = msgs;
  register(p, root);
  const w = isObj(s.when) ? s.when : {};
  const wp = p.concat('when');
  const whenOpen = isObj(s.when);
  const sitesOpen = Array.isArray(s.sites);
  const advOpen = s.background !== undefined;
  root.append(head, msgs,
    section(t('sec_content'), typeFields(s.type, p, s)),
    section(t('sec_play'), h('div', {class: 'two-col'},
      durationField(p.concat('duration'), false), transitionField(p.concat('transition'), false))),
    section(t('sec_when'), [
      h('p', {class: 'hint'}, t('when_intro')),
      timeField({path: wp.concat('from'), label: t('fld_from'), prune: wp, hint: t('from_hint')}),
      timeField({path: wp.concat('until'), label: t('fld_until'), prune: wp, hint: t('until_hint')}),
      daysField({path: wp.concat('days'), label: t('fld_days'), prune: wp, hint: t('days_hint')}),
      hoursField({path: wp.concat('hours'), label: t('fld_hours'), prune: wp, hint: t('hours_hint')})
    ], {collapsible: true, open: whenOpen, summary: whenSummary(w)}),
    section(t('sec_sites'), sitesField({path: p.concat('sites'), label: t('fld_sites'), hint: t('sites_hint')}),
            {collapsible: true, open: sitesOpen, summary: sitesOpen && s.sites.length ? s.sites.join(', ') : t('sites_all')}),
    section(t('sec_more'), [
      textField({path: p.concat('id'), label: t('fld_id'), suggest: SUGGEST.id, mono: true, hint: t('id_hint')}),
      backgroundField(p)
    ], {collapsible: true, open: advOpen}));
  register(wp, root.querySelector('details.form-section'));
  const wd = root.querySelector('details.form-section');
  wd._msgs = h('div', {class: 'field-msgs'});
  wd.querySelector('.section-body').prepend(wd._msgs);
  return root;
}

function tickerChars(items) {
  return items.reduce((a, x) => a + chars(typeof x === 'string' ? x : ''), 0);
}

/* The deck settings: school, ticker, colours and logo, defaults, alert. */
let alertStash = null;

function deckForm() {
  const d = S.doc;
  const root = h('div', {class: 'form-root'});
  const msgs = h('div', {class: 'field-msgs form-msgs'});
  root._msgs = msgs;
  root.append(h('div', {class: 'form-head'}, h('h2', {id: 'form-title'}, t('deck_settings'))), msgs);
  root.append(section(t('sec_basic'), [
    textField({path: ['school'], label: t('fld_school'), suggest: SUGGEST.school, hint: t('school_hint')}),
    h('div', {class: 'two-col'},
      selectField({path: ['lang'], label: t('fld_lang'), options: [['', t('lang_default')], ['zh-CN', '中文'], ['en', 'English']],
                   hint: t('lang_hint')}),
      numberField({path: ['refresh'], label: t('fld_refresh'), min: 1, step: 1, unit: t('seconds'),
                   placeholder: '300', hint: t('refresh_hint')}))
  ]));
  const ticker = Array.isArray(d.ticker) ? d.ticker : [];
  root.append(section(t('fld_ticker'), textListField({
    path: ['ticker'], label: t('ticker_lines'), max: TICKER_MAX_LINES, suggest: SUGGEST.ticker_line,
    what: t('ticker_line'), itemLabel: (i) => t('ticker_n', i + 1), addLabel: t('add_ticker'),
    hint: t('ticker_hint', TICKER_MAX_LINES, TICKER_MAX_CHARS),
    countText: (items) => t('ticker_count', tickerChars(items), TICKER_MAX_CHARS, items.length, TICKER_MAX_LINES),
    countOver: (items) => tickerChars(items) > TICKER_MAX_CHARS || items.length > TICKER_MAX_LINES
  })));
  void ticker;
  root.append(section(t('sec_theme'), [
    h('div', {class: 'three-col'},
      colourField({path: ['theme', 'background'], label: t('fld_bg'), def: DEFAULT_THEME.background, prune: ['theme']}),
      colourField({path: ['theme', 'text'], label: t('fld_text_colour'), def: DEFAULT_THEME.text, prune: ['theme']}),
      colourField({path: ['theme', 'accent'], label: t('fld_accent'), def: DEFAULT_THEME.accent, prune: ['theme']})),
    imageField({path: ['theme', 'logo'], shaPath: ['theme', 'logo_sha256'], label: t('fld_logo'), prune: ['theme']})
  ]));
  root.append(section(t('sec_defaults'), h('div', {class: 'two-col'},
    durationField(['defaults', 'duration'], true), transitionField(['defaults', 'transition'], true))));
  root.append(alertSection());
  register(['format'], root);
  register(['slides'], root);
  return root;
}

function alertSection() {
  const a = S.doc.alert;
  const level = isObj(a) && typeof a.level === 'string' ? a.level : '';
  const levelField = selectField({
    path: ['alert', 'level'], label: t('fld_level'),
    options: [['', t('alert_none')], ['info', t('alert_info')], ['warning', t('alert_warning')], ['emergency', t('alert_emergency')]],
    confirm: async (val) => {
      if (val !== 'emergency') return true;
      return confirmDialog(t('emergency_title'), t('emergency_text'), t('emergency_ok'), true);
    },
    set: (val) => {
      if (val === '') {
        if (isObj(S.doc.alert)) alertStash = S.doc.alert;
        delete S.doc.alert;
      } else {
        if (!isObj(S.doc.alert)) S.doc.alert = alertStash && isObj(alertStash) ? alertStash : {};
        S.doc.alert.level = val;
      }
    },
    rebuild: true, structural: true
  });
  const kids = [h('p', {class: 'hint'}, t('alert_intro')), levelField];
  if (isObj(a)) {
    if (level === 'emergency') kids.push(h('p', {class: 'notice danger-notice', role: 'note'}, t('emergency_note')));
    const ap = ['alert'];
    kids.push(
      textField({path: ap.concat('title'), label: t('fld_alert_title'), suggest: SUGGEST.alert_title}),
      textField({path: ap.concat('text'), label: t('fld_alert_text'), suggest: SUGGEST.alert_text, multiline: true}),
      timeField({path: ap.concat('from'), label: t('fld_from'), hint: t('alert_from_hint')}),
      timeField({path: ap.concat('until'), label: t('fld_until'), hint: t('alert_until_hint')}));
  }
  const sec = section(t('sec_alert'), kids);
  sec.classList.add('alert-section', 'level-' + (level || 'none'));
  register(['alert'], levelField);
  return sec;
}

/* ------------------------------------------------------ form rendering */

function renderForm(opts) {
  opts = opts || {};
  if (S.tab !== 'edit') { S.formStale = true; return; }
  S.formStale = false;
  const pane = $('form-pane');
  const scroll = opts.keepScroll ? pane.scrollTop : 0;
  pane.textContent = '';
  FM = new Map();
  if (!S.doc && !S.parseError) return;
  if (S.parseError) {
    pane.append(h('div', {class: 'form-root'}, h('div', {class: 'notice big-notice'},
      h('h2', null, t('parse_title')), h('p', null, t('parse_text')),
      h('button', {type: 'button', class: 'primary', onclick: () => showTab('json')}, t('go_json')))));
    return;
  }
  if (S.sel < 0) {
    pane.append(deckForm());
  } else {
    const s = slideAt(S.sel);
    if (s) pane.append(slideForm(S.sel, s));
    else pane.append(h('div', {class: 'form-root'}, h('p', {class: 'notice'}, t('not_object'))));
  }
  renderFieldMessages();
  pane.scrollTop = scroll;
  if (opts.focusSel) {
    let el = pane.querySelector(opts.focusSel);
    /* A ↑ that reached the top is disabled: its ↓ takes the focus. */
    if (el && el.disabled && el.parentElement) el = el.parentElement.querySelector('button:not([disabled])');
    if (el) el.focus();
  } else if (opts.focusPath) {
    focusField(opts.focusPath, true);
  } else if (opts.focusFirst) {
    const f = pane.querySelector('.form-section input, .form-section textarea, .form-section select');
    if (f) f.focus();
  }
}

function findBox(path) {
  let p = pparse(path);
  while (p.length) {
    const w = FM.get(pstr(p));
    if (w) return {w, exact: pstr(p) === path, rest: path.slice(pstr(p).length).replace(/^\./, '')};
    p = p.slice(0, -1);
  }
  return null;
}

function openParents(el) {
  for (let x = el; x; x = x.parentElement) if (x.tagName === 'DETAILS') x.open = true;
}

function renderFieldMessages() {
  for (const w of new Set(FM.values())) {
    if (w._msgs) w._msgs.textContent = '';
    w.classList.remove('has-error', 'has-warning');
    if (w._focus) w._focus.removeAttribute('aria-invalid');
  }
  if (!S.doc || S.parseError) return;
  const inForm = (path) => {
    const i = slideIndexOf(path);
    return S.sel < 0 ? i < 0 && path !== '' : i === S.sel;
  };
  for (const d of diags()) {
    const path = d.path || '';
    if (!inForm(path)) continue;
    let box = findBox(path);
    if (!box) {
      const root = $('form-pane').querySelector('.form-root');
      if (!root || !root._msgs) continue;
      box = {w: root, exact: false, rest: path};
    }
    const w = box.w;
    if (!w._msgs) continue;
    const warn = !!d.warning;
    const where = !box.exact && box.rest ? box.rest + '：' : '';
    w._msgs.append(h('p', {class: 'msg ' + (warn ? 'warning' : 'error')},
      h('span', {class: 'msg-icon', 'aria-hidden': 'true'}, warn ? '!' : '✕'),
      h('span', {class: 'msg-text'}, (warn ? t('warning_prefix') : '') + where + trMsg(d.msg))));
    w.classList.add(warn ? 'has-warning' : 'has-error');
    if (!warn && w._focus) w._focus.setAttribute('aria-invalid', 'true');
    if (!warn) openParents(w);
  }
}

function focusField(path, quiet) {
  const box = findBox(typeof path === 'string' ? path : pstr(path));
  if (!box) return false;
  const w = box.w;
  openParents(w);
  w.scrollIntoView({block: 'center'});
  if (w._focus) w._focus.focus({preventScroll: true});
  if (!quiet) {
    w.classList.add('flash');
    setTimeout(() => w.classList.remove('flash'), 1500);
  }
  return true;
}

/* ------------------------------------------------------------ JSON tab */

const LINE_H = 20;   /* px: .json-text and .json-gutter line-height in app.css */
const JSON_PAD = 8;  /* px: their top padding */
let gutterLines = 0;

function loadJsonTab() {
  const ta = $('json-text');
  if (ta.value !== S.text) ta.value = S.text;
  renderGutter(true);
  renderJsonErrors();
  updateJsonPos();
}

function onJsonInput() {
  const ta = $('json-text');
  S.text = ta.value;
  textChanged({from: 'json'});
  renderGutter(false);
  renderBanners();
}

function errorLines() {
  const marks = new Map();
  for (const d of diags()) {
    if (!(d.line > 0)) continue;
    const cur = marks.get(d.line);
    if (!d.warning) marks.set(d.line, 'err');
    else if (!cur) marks.set(d.line, 'warn');
  }
  return marks;
}

function renderGutter(force) {
  const ta = $('json-text');
  const g = $('json-gutter');
  const n = ta.value.split('\n').length;
  const marks = errorLines();
  if (force || n !== gutterLines || g.dataset.marks !== JSON.stringify([...marks])) {
    gutterLines = n;
    g.dataset.marks = JSON.stringify([...marks]);
    const frag = document.createDocumentFragment();
    for (let i = 1; i <= n; i++) {
      const d = document.createElement('div');
      d.textContent = String(i);
      const m = marks.get(i);
      if (m) d.className = 'gl ' + m;
      frag.append(d);
    }
    g.textContent = '';
    g.append(frag, h('div', {class: 'gutter-pad'}));
    const mk = $('json-marks');
    mk.textContent = '';
    for (const [line, m] of marks) {
      const bar = h('div', {class: 'json-mark ' + m, 'data-line': String(line)});
      bar.style.top = (JSON_PAD + (line - 1) * LINE_H) + 'px';
      mk.append(bar);
    }
  }
  syncJsonScroll();
}

function syncJsonScroll() {
  const ta = $('json-text');
  $('json-gutter').scrollTop = ta.scrollTop;
  $('json-marks').style.transform = 'translateY(' + (-ta.scrollTop) + 'px)';
}

function renderJsonErrors() {
  const ol = $('json-errors');
  if (!ol) return;
  ol.textContent = '';
  const list = diags();
  const stale = S.reportText !== S.text;
  if (!list.length) {
    ol.append(h('li', {class: 'json-ok'}, stale ? t('checking') : '✓ ' + t('no_problems')));
    return;
  }
  for (const d of list) {
    const where = d.line > 0 ? t('line_col', d.line, d.col) : '';
    const what = (d.path ? pathLabel(d.path) + '：' : '') + trMsg(d.msg);
    const li = h('li', {class: 'json-err ' + (d.warning ? 'warning' : 'error')});
    if (d.line > 0) {
      li.append(h('button', {type: 'button', class: 'json-err-btn', 'data-line': String(d.line),
                             onclick: () => gotoLine(d.line, d.col)},
        h('span', {class: 'json-err-pos'}, (d.warning ? '! ' : '✕ ') + where),
        h('span', {class: 'json-err-msg'}, what)));
      const fixed = !stale ? quickFix(d, S.text) : null;
      if (fixed !== null) {
        li.append(h('button', {type: 'button', class: 'small-btn fix-btn', onclick: () => applyFix(fixed)}, t('quick_fix')));
      }
    } else {
      li.append(h('span', {class: 'json-err-msg'}, what));
    }
    ol.append(li);
  }
}

/* The offset in the text of line:col (col in characters). */
function offsetOf(text, line, col) {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  const cps = [...(lines[line - 1] || '')];
  for (let c = 0; c < (col || 1) - 1 && c < cps.length; c++) off += cps[c].length;
  return off;
}

/* The typical slips of typing JSON on a Chinese keyboard, fixed at the
 * place the parser points to: full-width quotes, comma and colon, a comma
 * too many or too few.  Returns the fixed text, or null. */
function quickFix(d, text) {
  if (d.warning || !(d.line > 0) || d.path) return null;
  const at = offsetOf(text, d.line, d.col);
  const ch = text[at];
  const m = d.msg;
  const put = (i, n, str) => text.slice(0, i) + str + text.slice(i + n);
  if ((ch === '“' || ch === '”') && /double quotes/.test(m)) {
    const eol = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
    const seg = text.slice(at + 1, eol);
    const k = seg.search(/[“”]/);
    let out = put(at, 1, '"');
    if (k >= 0) out = out.slice(0, at + 1 + k) + '"' + out.slice(at + 2 + k);
    return out;
  }
  if (ch === '，' && /near '，'/.test(m)) return put(at, 1, ',');
  if (ch === '：' && /near '：'/.test(m)) return put(at, 1, ':');
  const prev = () => {
    let i = at - 1;
    while (i >= 0 && /\s/.test(text[i])) i--;
    return i;
  };
  if (/a comma too many/.test(m)) {
    const i = prev();
    return i >= 0 && text[i] === ',' ? put(i, 1, '') : null;
  }
  if (/a missing comma/.test(m) && (ch === '"' || ch === '{' || ch === '[')) {
    const i = prev();
    return i >= 0 && /["}\]0-9el]/.test(text[i]) ? put(i + 1, 0, ',') : null;
  }
  return null;
}

function applyFix(text) {
  const ta = $('json-text');
  ta.value = text;
  onJsonInput();
  ta.focus();
  toast(t('fixed'));
}

/* Puts the cursor at line:col (col in characters, as the server counts). */
function gotoLine(line, col) {
  if (S.tab !== 'json') showTab('json');
  const ta = $('json-text');
  const lines = ta.value.split('\n');
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  const cps = [...(lines[line - 1] || '')];
  let k = 0;
  for (let c = 0; c < (col || 1) - 1 && c < cps.length; c++) k += cps[c].length;
  off += k;
  ta.focus();
  ta.setSelectionRange(off, off);
  ta.scrollTop = Math.max(0, (line - 1) * LINE_H - ta.clientHeight / 3);
  syncJsonScroll();
  updateJsonPos();
  const bar = $('json-marks').querySelector('[data-line="' + line + '"]');
  if (bar) { bar.classList.add('flash'); setTimeout(() => bar.classList.remove('flash'), 1200); }
}

function updateJsonPos() {
  const ta = $('json-text');
  const before = ta.value.slice(0, ta.selectionStart);
  const line = before.split('\n').length;
  const col = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  $('json-pos').textContent = t('line_col_long', line, col);
}

function wireJson() {
  const ta = $('json-text');
  ta.addEventListener('input', onJsonInput);
  ta.addEventListener('scroll', syncJsonScroll);
  for (const ev of ['keyup', 'click', 'select']) ta.addEventListener(ev, updateJsonPos);
}

/* ------------------------------------------------------------- history */

const HIST = {versions: [], live: null, loaded: false, view: null};

async function loadHistory() {
  try {
    const r = await api('GET', '/api/versions');
    HIST.versions = Array.isArray(r.versions) ? r.versions : [];
    HIST.live = r.live;
    S.live = r.live;
    HIST.loaded = true;
    renderHistory();
  } catch (e) {
    if (e.status !== 401) toast(errText(e), 'error');
  }
}

function renderHistory() {
  const tb = $('history-rows');
  tb.textContent = '';
  $('history-empty').hidden = HIST.versions.length > 0;
  document.querySelector('.table-wrap').hidden = HIST.versions.length === 0;
  for (const v of HIST.versions) {
    const live = v.n === HIST.live;
    const viewing = HIST.view && HIST.view.n === v.n;
    tb.append(h('tr', {class: (live ? 'live ' : '') + (viewing ? 'viewing' : ''), 'data-version': String(v.n)},
      h('td', {class: 'ver'}, '#' + v.n, live ? h('span', {class: 'live-badge'}, t('live')) : null),
      h('td', {class: 'when'}, fmtTime(v.at)),
      h('td', {class: 'who'}, v.by || ''),
      h('td', {class: 'summary'}, v.summary || ''),
      h('td', {class: 'actions'},
        h('button', {type: 'button', class: 'small-btn', 'data-act': 'view', onclick: () => viewVersion(v.n)}, t('view')),
        live ? null : h('button', {type: 'button', class: 'small-btn', 'data-act': 'republish', onclick: () => republish(v.n)}, t('republish')),
        h('button', {type: 'button', class: 'small-btn link', 'data-act': 'load', onclick: () => loadVersion(v.n)}, t('load_draft')))));
  }
}

async function viewVersion(n) {
  try {
    const v = await api('GET', '/api/versions/' + n);
    let count = 0;
    try {
      const d = JSON.parse(v.text);
      count = isObj(d) && Array.isArray(d.slides) ? d.slides.length : 0;
    } catch (e) { count = 0; }
    HIST.view = {n, text: v.text, count, index: 0, by: v.by, at: v.at};
    renderHistory();
    showHistSlide();
  } catch (e) {
    toast(errText(e), 'error');
  }
}

function showHistSlide() {
  const v = HIST.view;
  if (!v) return;
  $('hp-info').textContent = t('hp_info', v.n, fmtTime(v.at), v.by || '');
  $('hp-pos').textContent = v.count ? t('hp_pos', v.index + 1, v.count) : '';
  $('hp-prev').disabled = v.index <= 0;
  $('hp-next').disabled = v.index >= v.count - 1;
  $('hp-empty').textContent = t('preview_updating');
  $('hp-img').classList.add('stale');
  R.hist = {kind: 'hist', key: 'h' + v.n + ':' + v.index, text: v.text, index: v.index, w: 1280, h: 720, n: v.n};
  pump();
}

function showHistPreview(job, result) {
  if (!HIST.view || job.n !== HIST.view.n || job.index !== HIST.view.index) return;
  const img = $('hp-img');
  if (result.url) {
    const old = img.getAttribute('src');
    img.src = result.url;
    img.hidden = false;
    img.classList.remove('stale');
    img.alt = t('hp_alt', job.n, job.index + 1);
    $('hp-empty').hidden = true;
    if (old && old.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(old), 1000);
  } else {
    img.hidden = true;
    $('hp-empty').hidden = false;
    $('hp-empty').textContent = result.status === 422 ? t('preview_invalid') : t('preview_error', errText(new ApiError(result.status, result.body)));
  }
}

async function republish(n) {
  const extra = dirty() || S.text !== S.savedText ? t('republish_dirty') : '';
  const ok = await confirmDialog(t('republish_title', n), t('republish_text', n) + extra, t('republish_ok', n), true);
  if (!ok) return;
  if (!(await save()) && dirty()) { toast(t('save_first'), 'error'); return; }
  try {
    const r = await api('POST', '/api/versions/' + n + '/publish', {headers: {'If-Match': '"' + S.rev + '"'}});
    toast(t('republished', n, r.version));
    announce(t('republished', n, r.version));
    await reloadDraft();
    await loadHistory();
  } catch (e) {
    if (e.status === 409) showConflict(e.body);
    else toast(errText(e), 'error');
  }
}

async function loadVersion(n) {
  const ok = await confirmDialog(t('load_title', n), t('load_text', n), t('load_draft'), false);
  if (!ok) return;
  if (!(await save()) && dirty()) { toast(t('save_first'), 'error'); return; }
  try {
    await api('POST', '/api/versions/' + n + '/load', {headers: {'If-Match': '"' + S.rev + '"'}});
    await reloadDraft();
    toast(t('loaded_version', n));
    showTab('edit');
  } catch (e) {
    if (e.status === 409) showConflict(e.body);
    else toast(errText(e), 'error');
  }
}

async function reloadDraft() {
  const d = await api('GET', '/api/draft');
  const sel = S.sel;
  setDraft(d);
  if (sel < slides().length) S.sel = sel;
  renderSlideList();
  renderForm();
}

/* ------------------------------------------------------------ problems */

function renderDiagnostics() {
  renderListBadges();
  if (S.tab === 'edit') renderFieldMessages();
  renderProblems();
  renderJsonErrors();
  if (S.tab === 'json') renderGutter(false);
  updatePublishState();
}

function renderProblems() {
  const ol = $('problems-list');
  ol.textContent = '';
  const list = diags();
  if (!list.length) {
    ol.append(h('li', {class: 'muted'}, '✓ ' + t('no_problems')));
    return;
  }
  for (const d of list) {
    ol.append(h('li', {class: 'problem ' + (d.warning ? 'warning' : 'error')},
      h('button', {type: 'button', class: 'problem-btn', onclick: () => { toggleProblems(false); goToDiag(d); }},
        h('span', {class: 'problem-where'}, (d.warning ? '! ' : '✕ ') + pathLabel(d.path || '') +
          (d.line > 0 ? ' (' + t('line_col', d.line, d.col) + ')' : '')),
        h('span', {class: 'problem-msg'}, trMsg(d.msg)))));
  }
}

function toggleProblems(show) {
  const p = $('problems');
  const on = show === undefined ? p.hidden : show;
  p.hidden = !on;
  $('problems-btn').setAttribute('aria-expanded', String(on));
  if (on) {
    const b = p.querySelector('button.problem-btn') || $('problems-close');
    b.focus();
  }
}

function goToDiag(d) {
  const path = d.path || '';
  if (!path || S.parseError) { gotoLine(d.line, d.col); return; }
  const i = slideIndexOf(path);
  if (S.tab !== 'edit') showTab('edit');
  if (S.sel !== i) selectSlide(i, false);
  focusField(path);
}

/* ------------------------------------------------------------- publish */

function hasEmergency() {
  return S.doc && isObj(S.doc.alert) && S.doc.alert.level === 'emergency';
}

function openPublish() {
  if ($('publish-btn').disabled) return;
  const dlg = $('dlg-publish');
  const mins = S.doc && typeof S.doc.refresh === 'number' ? Math.max(1, Math.round(S.doc.refresh / 60)) : 5;
  $('publish-text').textContent = t('publish_text', mins);
  $('publish-summary').value = '';
  $('publish-error').textContent = '';
  const em = hasEmergency();
  $('publish-emergency').hidden = !em;
  $('publish-emergency-ok').checked = false;
  $('publish-go').disabled = em;
  $('publish-sign').textContent = S.info && S.info.signing ? t('sign_yes', S.info.key_id || '') : t('sign_no');
  dlg.showModal();
  $('publish-summary').focus();
}

async function doPublish(ev) {
  ev.preventDefault();
  const go = $('publish-go');
  const err = $('publish-error');
  if (hasEmergency() && !$('publish-emergency-ok').checked) {
    err.textContent = t('emergency_tick');
    return;
  }
  go.disabled = true;
  err.textContent = t('publishing');
  try {
    const saved = await save();
    if (!saved && dirty()) throw new Error(S.conflict ? t('status_conflict') : (S.saveError || t('save_first')));
    const summary = $('publish-summary').value.trim();
    const r = await api('POST', '/api/publish', {json: summary ? {summary} : {}, headers: {'If-Match': '"' + S.rev + '"'}});
    S.live = r.version;
    $('dlg-publish').close();
    toast(t('published', r.version), 'ok');
    announce(t('published', r.version));
    if (HIST.loaded) loadHistory();
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      showConflict(e.body);
      err.textContent = t('status_conflict');
    } else if (e instanceof ApiError && e.status === 422 && e.body.report) {
      setReport(e.body.report, S.text);
      err.textContent = t('publish_invalid');
    } else {
      err.textContent = e instanceof ApiError ? errText(e) : String(e.message || e);
    }
  }
  go.disabled = hasEmergency() && !$('publish-emergency-ok').checked;
}

/* ---------------------------------------------------------------- tabs */

const TABS = ['edit', 'json', 'history'];

function showTab(name) {
  if (S.tab === 'json' && name !== 'json') S.formStale = true;
  S.tab = name;
  for (const tn of TABS) {
    const b = $('tab-btn-' + tn);
    b.setAttribute('aria-selected', String(tn === name));
    b.tabIndex = tn === name ? 0 : -1;
    $('tab-' + tn).hidden = tn !== name;
  }
  if (name === 'edit' && S.formStale) renderForm();
  if (name === 'json') loadJsonTab();
  if (name === 'history') loadHistory();
  renderBanners();
}

function onTabKey(ev) {
  const i = TABS.indexOf(ev.target.dataset.tab);
  if (i < 0) return;
  let j = -1;
  if (ev.key === 'ArrowRight') j = (i + 1) % TABS.length;
  else if (ev.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
  else if (ev.key === 'Home') j = 0;
  else if (ev.key === 'End') j = TABS.length - 1;
  if (j < 0) return;
  ev.preventDefault();
  showTab(TABS[j]);
  $('tab-btn-' + TABS[j]).focus();
}

/* ---------------------------------------------------------------- info */

function renderInfo() {
  const i = S.info || {};
  $('feed-url').textContent = i.public_url || '';
  $('signing-note').textContent = i.signing ? t('signing_on', i.key_id || '') : t('signing_off');
  $('signing-note').className = i.signing ? 'signing on' : 'signing off';
  $('user-name').textContent = S.user || '';
}

async function copyUrl() {
  const url = $('feed-url').textContent;
  try {
    await navigator.clipboard.writeText(url);
    toast(t('copied'));
  } catch (e) {
    const r = document.createRange();
    r.selectNodeContents($('feed-url'));
    const s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
    toast(t('copy_manual'));
  }
}

/* ------------------------------------------------------------ language */

function applyI18n() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app_title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

function switchLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  try { localStorage.setItem(LS_LANG, lang); } catch (e) { /* private mode */ }
  applyI18n();
  if (!S.started) return;
  renderInfo();
  renderSlideList();
  renderForm({keepScroll: true});
  renderDiagnostics();
  updateSaveStatus();
  renderBanners();
  showPreviewState();
  if (HIST.loaded) renderHistory();
  if (HIST.view) showHistSlide();
  if (S.tab === 'json') updateJsonPos();
}

/* -------------------------------------------------------------- log-in */

function showLogin(expired) {
  $('boot').hidden = true;
  const l = $('login');
  l.hidden = false;
  l.classList.toggle('overlay', !!expired);
  $('login-expired').hidden = !expired;
  $('login-intro').hidden = !!expired;
  $('login-error').textContent = '';
  if (expired && S.user) $('login-user').value = S.user;
  ($('login-user').value ? $('login-pass') : $('login-user')).focus();
}

function sessionLost() {
  if (S.sessionLost) return;
  S.sessionLost = true;
  clearTimeout(saveTimer);
  showLogin(S.started);
}

async function doLogin(ev) {
  ev.preventDefault();
  const user = $('login-user').value.trim();
  const pass = $('login-pass').value;
  const err = $('login-error');
  if (!user || !pass) { err.textContent = t('login_fill'); return; }
  const btn = $('login-submit');
  btn.disabled = true;
  err.textContent = '';
  try {
    const r = await api('POST', '/api/login', {json: {user, password: pass}, login: false});
    if (S.started && S.user && r.user !== S.user) {
      /* Someone else logs in over another's unsaved work: start afresh. */
      location.reload();
      return;
    }
    S.user = r.user;
    S.csrf = r.csrf;
    S.sessionLost = false;
    $('login-pass').value = '';
    $('login').hidden = true;
    if (!S.started) {
      await startApp();
    } else {
      renderInfo();
      if (dirty()) save();
      runCheck();
      pump();
    }
  } catch (e) {
    if (e.status === 401) err.textContent = t('login_bad');
    else if (e.status === 429) err.textContent = t('login_rate', Math.max(1, Math.ceil((e.body.retry_after || 900) / 60)));
    else err.textContent = errText(e);
  }
  btn.disabled = false;
}

async function logout() {
  if (dirty()) await save();
  if (dirty() && !(await confirmDialog(t('logout_unsaved_title'), t('logout_unsaved_text'), t('log_out'), true))) return;
  try { await api('POST', '/api/logout', {login: false}); } catch (e) { /* gone anyway */ }
  S.text = S.savedText;
  location.reload();
}

/* --------------------------------------------------------------- start */

async function startApp() {
  $('boot').hidden = true;
  $('login').hidden = true;
  $('app').hidden = false;
  const [info, draft] = await Promise.all([api('GET', '/api/info'), api('GET', '/api/draft')]);
  S.info = info;
  S.started = true;
  renderInfo();
  S.sel = 0;
  setDraft(draft);
  if (!slides().length) S.sel = -1;
  selectSlide(S.sel, false);
}

function wire() {
  for (const b of document.querySelectorAll('.lang-toggle')) b.addEventListener('click', switchLang);
  $('login-form').addEventListener('submit', doLogin);
  for (const tn of TABS) {
    const b = $('tab-btn-' + tn);
    b.addEventListener('click', () => showTab(tn));
    b.addEventListener('keydown', onTabKey);
  }
  $('save-btn').addEventListener('click', async () => {
    const ok = await save();
    if (ok) toast(t('saved'));
  });
  $('publish-btn').addEventListener('click', openPublish);
  $('publish-go').addEventListener('click', doPublish);
  $('publish-form').addEventListener('submit', (ev) => { if (ev.submitter && ev.submitter.id === 'publish-go') ev.preventDefault(); });
  $('publish-summary').addEventListener('keydown', (ev) => {
    /* Enter means 发布, not the form's first button (取消). */
    if (ev.key === 'Enter') {
      ev.preventDefault();
      if (!$('publish-go').disabled) $('publish-go').click();
    }
  });
  $('publish-emergency-ok').addEventListener('change', () => {
    $('publish-go').disabled = !$('publish-emergency-ok').checked;
    $('publish-error').textContent = '';
  });
  $('problems-btn').addEventListener('click', () => toggleProblems());
  $('problems-close').addEventListener('click', () => { toggleProblems(false); $('problems-btn').focus(); });
  $('problems').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { toggleProblems(false); $('problems-btn').focus(); }
  });
  $('logout-btn').addEventListener('click', logout);
  $('deck-item').addEventListener('click', () => selectSlide(-1, false));
  $('add-slide-btn').addEventListener('click', openAddDialog);
  $('copy-url').addEventListener('click', copyUrl);
  const size = $('preview-size');
  try {
    const v = localStorage.getItem(LS_SIZE);
    if (v && [...size.options].some((o) => o.value === v)) size.value = v;
  } catch (e) { /* private mode */ }
  size.addEventListener('change', () => {
    try { localStorage.setItem(LS_SIZE, size.value); } catch (e) { /* private mode */ }
    schedulePreview(0);
  });
  $('history-refresh').addEventListener('click', loadHistory);
  $('hp-prev').addEventListener('click', () => { if (HIST.view && HIST.view.index > 0) { HIST.view.index--; showHistSlide(); } });
  $('hp-next').addEventListener('click', () => { if (HIST.view && HIST.view.index < HIST.view.count - 1) { HIST.view.index++; showHistSlide(); } });
  wireListDrag();
  wireJson();
  window.addEventListener('beforeunload', (ev) => {
    if (S.started && !S.sessionLost && dirty()) {
      save();
      ev.preventDefault();
      ev.returnValue = '';
    }
  });
  document.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === 's') {
      ev.preventDefault();
      if (S.started) save().then((ok) => { if (ok) toast(t('saved')); });
    }
  });
}

async function boot() {
  applyI18n();
  wire();
  try {
    const s = await api('GET', '/api/session', {login: false});
    S.user = s.user;
    S.csrf = s.csrf;
    await startApp();
  } catch (e) {
    if (e.status === 401 || !S.user) showLogin(false);
    else { $('boot').textContent = errText(e); }
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
})();
