// The web form's own texts (buttons, the error banner, the engine's default messages, the date
// picker) in Vietnamese. @getodk/web-forms 0.22.0 — the newest release on npm — writes its texts
// in English in its templates and has no way for a host to hand it a catalogue (ODK's own list
// of interface languages has no Vietnamese either), so the page translates them where they are
// shown: a watcher over the form's part of the page rewrites each known English text as soon as
// Vue puts it there. The date picker is PrimeVue's, whose locale is a supported setting.

// English as @getodk/web-forms 0.22.0 writes it → Vietnamese. A text of the form itself (labels,
// hints, constraint messages) is never in this list: those come from the XLSForm, in Vietnamese.
const TEXTS = {
  Send: 'Gửi',
  'Get location': 'Lấy vị trí',
  'Finding your location': 'Đang tìm vị trí',
  'Cannot access location': 'Không lấy được vị trí',
  'Save location': 'Lưu vị trí',
  'Try again': 'Thử lại',
  'Good accuracy': 'Độ chính xác tốt',
  'Poor accuracy': 'Độ chính xác kém',
  'Accuracy:': 'Độ chính xác:',
  'Latitude:': 'Vĩ độ:',
  'Longitude:': 'Kinh độ:',
  'Time taken to capture location:': 'Thời gian lấy vị trí:',
  'Geolocation is not supported by this browser.': 'Trình duyệt này không lấy được vị trí.',
  Cancel: 'Hủy',
  Remove: 'Xóa',
  Add: 'Thêm',
  'Choose image': 'Chọn ảnh',
  'Take picture': 'Chụp ảnh',
  'No file chosen': 'Chưa chọn tệp',
  'Change language': 'Đổi ngôn ngữ',
  'Rank items': 'Xếp hạng',
  'No results found': 'Không tìm thấy',
  'No available options': 'Không có lựa chọn',
  'Powered by': 'Chạy trên',
  'Condition not satisfied: required': 'Câu hỏi này bắt buộc phải trả lời.',
  'Condition not satisfied: constraint': 'Câu trả lời không hợp lệ.',
  'An error occurred while loading this form': 'Không mở được biểu mẫu này',
  'Unknown error': 'Lỗi không rõ',
};

// Texts with a number in them: "3 questions with errors." and the like.
const PATTERNS = [
  [/^1 question with error\.$/, () => '1 câu hỏi có lỗi.'],
  [/^(\d+) questions with errors\.$/, (count) => `${count} câu hỏi có lỗi.`],
];

const ATTRIBUTES = ['aria-label', 'placeholder', 'title'];

// PrimeVue's locale for the date picker (and the few PrimeVue texts the form uses).
export const PRIMEVUE_VI = {
  dayNames: ['Chủ nhật', 'Thứ hai', 'Thứ ba', 'Thứ tư', 'Thứ năm', 'Thứ sáu', 'Thứ bảy'],
  dayNamesShort: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'],
  dayNamesMin: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'],
  monthNames: [
    'Tháng 1', 'Tháng 2', 'Tháng 3', 'Tháng 4', 'Tháng 5', 'Tháng 6',
    'Tháng 7', 'Tháng 8', 'Tháng 9', 'Tháng 10', 'Tháng 11', 'Tháng 12',
  ],
  monthNamesShort: ['Th1', 'Th2', 'Th3', 'Th4', 'Th5', 'Th6', 'Th7', 'Th8', 'Th9', 'Th10', 'Th11', 'Th12'],
  firstDayOfWeek: 1,
  today: 'Hôm nay',
  clear: 'Xóa',
  weekHeader: 'Tuần',
  dateFormat: 'dd/mm/yy',
  chooseDate: 'Chọn ngày',
  chooseMonth: 'Chọn tháng',
  chooseYear: 'Chọn năm',
  prevMonth: 'Tháng trước',
  nextMonth: 'Tháng sau',
  prevYear: 'Năm trước',
  nextYear: 'Năm sau',
  prevDecade: 'Thập kỷ trước',
  nextDecade: 'Thập kỷ sau',
  emptyMessage: 'Không có lựa chọn',
  emptyFilterMessage: 'Không tìm thấy',
  emptySearchMessage: 'Không tìm thấy',
  selectionMessage: 'Đã chọn {0} mục',
  emptySelectionMessage: 'Chưa chọn mục nào',
  accept: 'Có',
  reject: 'Không',
  choose: 'Chọn',
  upload: 'Tải lên',
  cancel: 'Hủy',
  fileChosenMessage: 'Đã chọn {0} tệp',
  noFileChosenMessage: 'Chưa chọn tệp',
  aria: { close: 'Đóng', previous: 'Trước', next: 'Sau' },
};

// The Vietnamese for one English text, or null when it is not one of the engine's own.
export function vietnamese(text) {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const known = TEXTS[trimmed];
  if (known !== undefined) return text.replace(trimmed, known);
  for (const [pattern, render] of PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match) return text.replace(trimmed, render(...match.slice(1)));
  }
  return null;
}

function translateNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    const translated = vietnamese(node.nodeValue ?? '');
    if (translated !== null) node.nodeValue = translated;
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  for (const name of ATTRIBUTES) {
    const value = node.getAttribute(name);
    const translated = value === null ? null : vietnamese(value);
    if (translated !== null) node.setAttribute(name, translated);
  }
}

function translateTree(root) {
  translateNode(root);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) translateNode(node);
}

// Keeps every engine text on the page in Vietnamese from now on. The whole <body> is watched,
// not only the form's element: PrimeVue puts its overlays (the date picker, dialogs) at its end.
export function keepInVietnamese() {
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'childList') record.addedNodes.forEach(translateTree);
      else translateNode(record.target);
    }
  });
  translateTree(document.body);
  observer.observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRIBUTES,
  });
  return observer;
}

export function pageIsVietnamese() {
  return (document.documentElement.lang || '').toLowerCase().startsWith('vi');
}
