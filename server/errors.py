"""The one exception catalogue. No Flask here: services raise, surfaces render.

Every error has a stable `code`, an HTTP status (the mapping lives in this file and nowhere
else), and a message in Vietnamese and English built from named parameters, so that a phone, a
page or a script can show the user which field, row or file is wrong.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RasoatError(Exception):
    """Base of every error the product raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    # Seconds after which the same request may succeed (sent as Retry-After); None: it will not.
    retry_after: ClassVar[int | None] = None
    vi: ClassVar[str] = "Lỗi máy chủ."
    en: ClassVar[str] = "Server error."

    def __init__(self, detail: str | None = None, **params: Any) -> None:
        self.params = params
        self.detail = detail
        super().__init__(self.message_en)

    @property
    def message_vi(self) -> str:
        return self._with_detail(self.vi.format(**self.params))

    @property
    def message_en(self) -> str:
        return self._with_detail(self.en.format(**self.params))

    @property
    def message(self) -> str:
        """Both languages: Vietnamese first, for cadres; English for everyone else."""
        return f"{self.message_vi} / {self.message_en}"

    def _with_detail(self, text: str) -> str:
        return f"{text} ({self.detail})" if self.detail else text


# --- 400 --------------------------------------------------------------------------------------


class InvalidInput(RasoatError):
    """Input that breaks a rule; `field` names what is wrong."""

    code = "invalid_input"
    status = 400
    vi = "Dữ liệu không hợp lệ ở {field}."
    en = "Invalid value in {field}."


class InvalidInstance(InvalidInput):
    """The submitted instance XML cannot be read (malformed, DTD/entities, no form id)."""

    code = "invalid_instance"
    vi = "Tệp phiếu (XML) không hợp lệ: {reason_vi}"
    en = "The submitted form data (XML) is not valid: {reason}"


class MissingInstanceFile(InvalidInput):
    """A submission POST without the `xml_submission_file` part."""

    code = "missing_instance_file"
    vi = "Thiếu tệp phiếu xml_submission_file trong yêu cầu gửi."
    en = "The request has no xml_submission_file part."


class InvalidMultipart(InvalidInput):
    """The multipart body cannot be parsed or is truncated."""

    code = "invalid_multipart"
    vi = "Yêu cầu gửi phiếu bị hỏng hoặc không đầy đủ: {reason_vi}"
    en = "The submission request is malformed or incomplete: {reason}"


class InvalidAttachmentName(InvalidInput):
    """An attachment file name with a path, a reserved name or control characters."""

    code = "invalid_attachment_name"
    vi = "Tên tệp đính kèm không hợp lệ: {name!r} (chỉ được là tên tệp, không có đường dẫn)."
    en = "Invalid attachment file name {name!r}: it must be a plain file name without a path."


class InvalidXLSForm(InvalidInput):
    """pyxform or ODK Validate refused an XLSForm; the message names the sheet and row."""

    code = "invalid_xlsform"
    vi = "Biểu mẫu XLSForm có lỗi: {problems}"
    en = "The XLSForm has errors: {problems}"


class XLSFormWarnings(InvalidInput):
    """The XLSForm compiles but pyxform warns, and the API caller did not say
    `ignoreWarnings=true` (ODK Central's 400.16)."""

    code = "xlsform_warnings"
    vi = "Biểu mẫu XLSForm có cảnh báo (gửi lại với ignoreWarnings=true để vẫn lưu): {warnings}"
    en = "The XLSForm has warnings (send it again with ignoreWarnings=true to keep it): {warnings}"


class WeakPassword(InvalidInput):
    """A password a person could be guessed into: too short, or their own e-mail."""

    code = "weak_password"
    vi = "Mật khẩu ở {field} quá yếu: cần ít nhất {minimum} ký tự và không trùng với e-mail."
    en = "The password in {field} is too weak: at least {minimum} characters, not the e-mail."


class UnknownRole(InvalidInput):
    """A role name that is not one of the product's roles."""

    code = "unknown_role"
    vi = "Vai trò {value!r} ở {field} không tồn tại (có: {known})."
    en = "There is no role {value!r} in {field} (known: {known})."


class UnknownArea(InvalidInput):
    """An area code that names no area."""

    code = "unknown_area"
    vi = "Không có đơn vị hành chính mã {value!r} ở {field}."
    en = "There is no area with the code {value!r} in {field}."


class AreaNotForRole(InvalidInput):
    """An area of a level the role does not work at (a commune officer given a province…)."""

    code = "area_not_for_role"
    vi = "Đơn vị ở {field} ({area}) không hợp với vai trò {role}: cần cấp {levels}."
    en = "The area in {field} ({area}) does not fit the role {role}: it must be a {levels}."


class InvalidEmail(InvalidInput):
    """An e-mail address without the shape of one."""

    code = "invalid_email"
    vi = "Địa chỉ e-mail ở {field} không hợp lệ: {value!r}."
    en = "The e-mail address in {field} is not valid: {value!r}."


class InvalidFilter(InvalidInput):
    """An OData `$filter` that cannot be read (Central's 400.18)."""

    code = "invalid_filter"
    vi = "Không đọc được biểu thức $filter: {reason}"
    en = "The $filter expression cannot be read: {reason}"


class InvalidSelect(InvalidInput):
    """A `$select` naming no field of the table (Central's 400.23)."""

    code = "invalid_select"
    vi = "$select nêu trường không có trong bảng."
    en = "$select names a field the table does not have."


# --- 401 / 403 ---------------------------------------------------------------------------------


class AuthenticationRequired(RasoatError):
    """No or wrong credentials on a route that needs them (Digest challenge follows)."""

    code = "authentication_required"
    status = 401
    vi = "Cần đăng nhập: tên hoặc mật khẩu không đúng."
    en = "Authentication required: wrong or missing user name or password."


class Forbidden(RasoatError):
    """Authenticated, or holding a token, but not allowed to do this."""

    code = "forbidden"
    status = 403
    vi = "Không có quyền thực hiện việc này."
    en = "You are not allowed to do this."


class BeyondYourRights(Forbidden):
    """A person managing accounts beyond their rights: a role not below their own, an area
    outside their own, or a person they do not manage; `field` names which."""

    code = "beyond_your_rights"
    vi = "Vượt quá quyền của bạn ở {field}: {reason_vi}."
    en = "Beyond your rights in {field}: {reason}."


class InvalidToken(Forbidden):
    """An app-user token that is unknown, revoked or belongs to another project (403, not 401,
    so Collect does not ask the cadre for a password that does not exist)."""

    code = "invalid_token"
    vi = "Mã truy cập của điện thoại không hợp lệ hoặc đã bị thu hồi. Hãy quét lại mã QR mới."
    en = "This phone's access token is unknown or has been revoked. Scan a new QR code."


class FormNotAllowed(Forbidden):
    """The app user is not assigned to the form it tries to use."""

    code = "form_not_allowed"
    vi = "Điện thoại này không được phép dùng biểu mẫu {form_id}."
    en = "This phone may not use the form {form_id}."


class RoleNotAllowed(Forbidden):
    """A signed-in person whose role does not open this page (the menu does not offer it)."""

    code = "role_not_allowed"
    vi = "Vai trò của bạn không được xem trang này."
    en = "Your role does not allow this page."


class OutsideSendersArea(Forbidden):
    """A record naming a village or household outside the area of the phone (or officer) that
    sent it. Never raised at the phone, which gets 201 for its finished work: the message is
    the record's issue, kept with it until an officer of either area applies or rejects it."""

    code = "outside_senders_area"
    vi = (
        "Ngoài địa bàn của người gửi: {place} không thuộc {sender_area}. Phiếu đã được lưu "
        "nhưng chưa đưa vào sổ hộ; cán bộ của một trong hai địa bàn cần duyệt hoặc từ chối."
    )
    en = (
        "Outside the sender's area: {place} is not within {sender_area}. The record is stored "
        "but not applied to the registry; an officer of either area must apply or reject it."
    )


# --- 404 ---------------------------------------------------------------------------------------


class NotFound(RasoatError):
    """Something named in the request does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404
    vi = "Không tìm thấy {what}."
    en = "{what} not found."


class UnknownPerson(NotFound):
    """No account with this e-mail (or none the caller manages)."""

    code = "unknown_person"
    vi = "Không có tài khoản {value} ở {field}."
    en = "There is no account {value} in {field}."


class NoStandardForYear(NotFound):
    """A review names a list year that no poverty standard file covers: the record is kept and
    flagged, never classified under the standard of another year."""

    code = "no_standard_for_year"
    vi = (
        "Không có chuẩn nghèo cho danh sách năm {list_year} (các chuẩn hiện có áp dụng cho "
        "danh sách các năm {covered}); phiếu được lưu nhưng chưa phân loại."
    )
    en = (
        "No poverty standard applies to the {list_year} list (the standards cover the lists "
        "of {covered}); the record is kept but not classified."
    )


class AreaNotInListYear(NotFound):
    """A review names a village that did not exist on 1 January of its list year (ended, or not
    yet begun): the record is kept and flagged, never counted under another unit."""

    code = "area_not_in_list_year"
    vi = (
        "{name} (mã {code}) không có trong danh sách năm {list_year} ({when_vi}); phiếu được lưu "
        "nhưng chưa phân loại."
    )
    en = (
        "{name} (code {code}) does not exist in the {list_year} list ({when}); the record is "
        "kept but not classified."
    )


class MergedUnitCode(NotFound):
    """A review of a list year after a merger names a merged commune by its old code: the
    record is kept and flagged, with the unit that took its place."""

    code = "merged_unit_code"
    vi = (
        "{name} (mã {code}) đã sáp nhập vào {successors} từ ngày {since}; phiếu danh sách năm "
        "{list_year} phải ghi đơn vị mới. Phiếu được lưu nhưng chưa phân loại."
    )
    en = (
        "{name} (code {code}) merged into {successors} on {since}; a record of the {list_year} "
        "list must name the new unit. The record is kept but not classified."
    )


class FormNotFound(NotFound):
    """No published form with this id in the project."""

    code = "form_not_found"
    vi = "Máy chủ không có biểu mẫu {form_id}. Hãy tải lại danh sách biểu mẫu."
    en = "The server has no form {form_id}. Download the blank forms again."


class FormVersionNotFound(NotFound):
    """The form exists but was never published with this version."""

    code = "form_version_not_found"
    vi = "Biểu mẫu {form_id} không có phiên bản {version}. Hãy tải biểu mẫu mới."
    en = "The form {form_id} has no version {version}. Download the current form."


class DeprecatedSubmissionNotFound(NotFound):
    """An edit whose deprecatedID names no stored submission."""

    code = "deprecated_submission_not_found"
    vi = "Không tìm thấy phiếu gốc {deprecated_id} mà phiếu sửa này thay thế."
    en = "The submission {deprecated_id} that this edit replaces was not found."


class AttachmentNotFound(NotFound):
    """A media file or submission attachment that was not uploaded."""

    code = "attachment_not_found"
    vi = "Không có tệp {name}."
    en = "There is no file {name}."


# --- 409 ---------------------------------------------------------------------------------------


class Conflict(RasoatError):
    """The request contradicts what is already stored."""

    code = "conflict"
    status = 409
    vi = "Xung đột với dữ liệu đã lưu."
    en = "Conflicts with stored data."


class EmailTaken(Conflict):
    """A new account with the e-mail of an existing one."""

    code = "email_taken"
    vi = "Đã có tài khoản với e-mail {value} (ở {field})."
    en = "An account with the e-mail {value} exists already (in {field})."


class FormClosed(Conflict):
    """The form no longer accepts submissions."""

    code = "form_closed"
    vi = "Biểu mẫu {form_id} đã đóng, không nhận thêm phiếu."
    en = "The form {form_id} is closed and accepts no more submissions."


class SubmissionConflict(Conflict):
    """Same instanceID as a stored submission, but different XML."""

    code = "submission_conflict"
    vi = (
        "Đã có phiếu mang mã {instance_id} nhưng nội dung khác. Nếu muốn sửa, hãy sửa phiếu đã "
        "gửi trên điện thoại rồi gửi lại."
    )
    en = (
        "A submission with the ID {instance_id} already exists with different content. To "
        "change it, edit the sent record on the phone and send it again."
    )


class StaleEdit(Conflict):
    """An edit based on a version that is no longer the current one."""

    code = "stale_edit"
    vi = "Phiếu {deprecated_id} đã được sửa trước đó; bản bạn đang sửa đã cũ."
    en = "The submission {deprecated_id} was edited already; the copy you edited is out of date."


class NotHeldOutside(Conflict):
    """Apply or reject asked of a record whose current version is not held outside its
    sender's area (never held, or decided already)."""

    code = "not_held_outside"
    vi = "Phiếu {instance_id} không chờ duyệt ngoài địa bàn (hoặc đã được quyết định)."
    en = "The record {instance_id} is not waiting for a decision (or was decided already)."


class PlanItemsNotChanged(Conflict):
    """A follow-up visit reporting on plan items the server would not move: not items of the
    visited household (a stale or altered list), or closed meanwhile in another state. Never
    raised at the phone: the visit is stored and applied, the other items are moved, and this
    message is the record's issue, for an officer to settle on the item's page."""

    code = "plan_items_not_changed"
    vi = (
        "Phiếu thăm báo về khoản hỗ trợ {items} nhưng không cập nhật được (không phải của hộ "
        "này hoặc đã đóng); cán bộ cần kiểm tra kế hoạch của hộ."
    )
    en = (
        "The visit reports on plan items {items} that could not be updated (not this "
        "household's, or already closed); an officer should check the household's plan."
    )


class FormVersionExists(Conflict):
    """A form published again with the same version string but different content."""

    code = "form_version_exists"
    vi = (
        "Biểu mẫu {form_id} đã có phiên bản {version} với nội dung khác. Hãy tăng số phiên bản "
        "(version) trong trang settings."
    )
    en = (
        "The form {form_id} already has a version {version} with other content. Raise the "
        "version in the settings sheet."
    )



class FormExists(Conflict):
    """A form created over the API whose form_id the project already has (Central's 409.3):
    a new version of it is a draft of that form (`POST .../forms/{id}/draft`)."""

    code = "form_exists"
    vi = "Dự án đã có biểu mẫu {form_id}. Hãy tải phiên bản mới lên làm bản nháp của biểu mẫu đó."
    en = "The project already has a form {form_id}. Upload the new version as a draft of it."


class VersionAlreadyPublished(Conflict):
    """A draft whose version (and content) is the form's published one: nothing to publish."""

    code = "version_already_published"
    vi = (
        "Phiên bản {version} của biểu mẫu {form_id} đã được phát hành. Hãy tăng số phiên bản "
        "(version) trong trang settings."
    )
    en = (
        "Version {version} of the form {form_id} is already published. Raise the version in "
        "the settings sheet."
    )

# --- 429 ---------------------------------------------------------------------------------------


class TooManyAttempts(RasoatError):
    """Too many failed sign-ins for this account or from this address; wait and retry."""

    code = "too_many_attempts"
    status = 429
    vi = "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút."
    en = "Too many failed sign-ins. Try again in {minutes} minutes."


# --- 501 ---------------------------------------------------------------------------------------


class NotSupported(RasoatError):
    """An OData query the feed does not (yet) answer: an option, a filter's field or function;
    the request may be sent again without it."""

    code = "not_supported"
    status = 501
    vi = "Chưa hỗ trợ: {what}."
    en = "Not supported: {what}."


class UnsupportedQueryOption(NotSupported):
    """An OData query option the feed does not answer (Central's 501.1)."""

    code = "unsupported_query_option"


class UnsupportedExpand(NotSupported):
    """An `$expand` other than `*` (Central's 501.6)."""

    code = "unsupported_expand"


class SelectWithExpand(NotSupported):
    """`$select` beside `$expand`, which Central does not answer (its 501.11)."""

    code = "select_with_expand"
    vi = "Chưa hỗ trợ $select cùng với $expand."
    en = "$select together with $expand is not supported."


class UnsupportedFilterField(NotSupported):
    """A `$filter` on a field the feed cannot filter by (Central's 501.5)."""

    code = "unsupported_filter_field"


# --- 413 / 503 ---------------------------------------------------------------------------------


class TooLarge(RasoatError):
    """A body, instance or attachment above the configured limit."""

    code = "too_large"
    status = 413
    vi = "{what} quá lớn (giới hạn {limit} byte)."
    en = "{what} is too large (limit {limit} bytes)."


class DatabaseUnavailable(RasoatError):
    """The database does not answer (stopped, unreachable, its disk refusing writes): nothing
    was done, and the same request may succeed in a moment."""

    code = "database_unavailable"
    status = 503
    retry_after = 30
    vi = "Máy chủ tạm thời không truy cập được cơ sở dữ liệu. Hãy thử lại sau ít phút."
    en = "The server cannot reach its database right now. Try again in a few minutes."


class ServiceUnavailable(DatabaseUnavailable):
    """The database is unreachable while a phone talks to us; the phone keeps the record and
    retries later."""

    code = "service_unavailable"
    vi = "Máy chủ tạm thời không lưu được dữ liệu. Phiếu vẫn còn trên điện thoại; hãy gửi lại sau."
    en = "The server cannot store data right now. The record stays on the phone; send it later."


class FileStoreUnavailable(RasoatError):
    """The object store that keeps the files (RASOAT_BLOB_URL) does not answer or refuses a
    write: nothing was acknowledged, and the same request may succeed in a moment."""

    code = "file_store_unavailable"
    status = 503
    retry_after = 30
    vi = (
        "Máy chủ tạm thời không lưu hoặc đọc được tệp. Phiếu gửi từ điện thoại vẫn còn trên "
        "máy; hãy gửi lại sau ít phút."
    )
    en = (
        "The server cannot store or read files right now. A record sent from a phone stays on "
        "the phone; send it again in a few minutes."
    )


class WebFormNotBuilt(RasoatError):
    """The web form's bundle (webform/dist) was never built on this installation."""

    code = "web_form_not_built"
    status = 503
    vi = (
        "Trang nhập phiếu trên trình duyệt chưa được cài đặt: hãy chạy ./dev serve "
        "(hoặc npm ci && npm run build trong thư mục webform/)."
    )
    en = (
        "The web form is not installed on this server: run ./dev serve "
        "(or npm ci && npm run build in the webform/ folder)."
    )
