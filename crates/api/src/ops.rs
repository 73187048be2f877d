//! [`Call`], the one enum of operations, and [`Op`], what each answers, generated from one
//! table so that a call, its name, its reply and its handler cannot drift apart.
//!
//! On the wire a call is `{"op": "claim", "args": {...}}`; `args` may be left out for an
//! operation that takes nothing. Unknown operations and unknown fields are refused.

use crate::call;
use crate::proto::*;
use crate::view::*;
use serde::de::{DeserializeOwned, Error as _};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use volost_domain::*;

/// An operation: its arguments are `Self`, its answer `Reply`.
pub trait Op: Into<Call> + Serialize + DeserializeOwned {
    type Reply: Serialize + DeserializeOwned;
    /// The operation's stable name, as on the wire and in logs.
    const NAME: &'static str;
    /// Runs the operation on `s` with its answer typed: for callers inside the daemon (the
    /// staff web page), which need not go through JSON.
    fn serve_typed<S: Serve + ?Sized>(self, s: &mut S) -> Result<Self::Reply, ApiError>;
}

macro_rules! ops {
    ($( $(#[$doc:meta])* $v:ident => $m:ident -> $reply:ty; )*) => {
        /// Every operation of the local API, named as in the service layer.
        #[derive(Clone, Debug)]
        pub enum Call {
            $( $v(call::$v), )*
        }

        $(
            impl Op for call::$v {
                type Reply = $reply;
                const NAME: &'static str = stringify!($m);
                fn serve_typed<S: Serve + ?Sized>(self, s: &mut S) -> Result<$reply, ApiError> {
                    s.$m(self)
                }
            }

            impl From<call::$v> for Call {
                fn from(c: call::$v) -> Call {
                    Call::$v(c)
                }
            }
        )*

        /// What answers the operations: one method per operation, each returning the reply
        /// its [`Op`] names. The daemon's dispatch implements it.
        pub trait Serve {
            $( fn $m(&mut self, args: call::$v) -> Result<$reply, ApiError>; )*
        }

        impl Call {
            /// Every operation's stable name (the rights table's test checks it covers them).
            pub const OPS: &'static [&'static str] = &[$(stringify!($m)),*];

            /// The stable name of the operation, for logs.
            pub fn op(&self) -> &'static str {
                match self { $(Call::$v(_) => stringify!($m),)* }
            }

            /// Runs the call on `s` and gives its answer as JSON.
            pub fn serve<S: Serve + ?Sized>(self, s: &mut S) -> Result<serde_json::Value, ApiError> {
                match self { $(Call::$v(a) => reply(s.$m(a)?),)* }
            }

            fn args_json(&self) -> Result<Box<RawValue>, serde_json::Error> {
                match self { $(Call::$v(a) => serde_json::value::to_raw_value(a),)* }
            }

            fn from_args(op: &str, args: &str) -> Result<Call, String> {
                match op {
                    $(stringify!($m) => serde_json::from_str::<call::$v>(args)
                        .map(Call::$v)
                        .map_err(|e| format!("{}: {e}", stringify!($m))),)*
                    other => Err(format!("unknown operation `{other}`")),
                }
            }
        }
    };
}

fn reply<T: Serialize>(v: T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(|_| ApiError::new(500, "internal", "Внутренняя ошибка узла"))
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let args = self.args_json().map_err(serde::ser::Error::custom)?;
        let unit = args.get() == "null";
        let mut m = s.serialize_map(Some(if unit { 1 } else { 2 }))?;
        m.serialize_entry("op", self.op())?;
        if !unit {
            m.serialize_entry("args", &args)?;
        }
        m.end()
    }
}

/// The wire shape of a call before its operation is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire<'a> {
    op: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

impl<'de> Deserialize<'de> for Call {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Call, D::Error> {
        let w = Wire::deserialize(d)?;
        match w.args {
            Some(a) => Call::from_args(&w.op, a.get()),
            // No `args`: an operation that takes nothing, or one whose fields all have
            // defaults.
            None => Call::from_args(&w.op, "null").or_else(|_| Call::from_args(&w.op, "{}")),
        }
        .map_err(D::Error::custom)
    }
}

ops! {
    // Sessions.
    Login => login -> SessionInfo;
    Logout => logout -> ();
    Whoami => whoami -> SessionInfo;
    Changes => changes -> u64;
    Pulse => pulse -> Pulse;
    ChangePassword => change_password -> ();
    // Tasks and processes.
    Queue => queue -> Page<TaskRow>;
    Task => task -> TaskCard;
    Claim => claim -> Task;
    ReturnToGroup => return_to_group -> Task;
    SetDue => set_due -> Task;
    Complete => complete -> Option<Task>;
    LaunchService => launch_service -> Process;
    ProcessMap => process_map -> ProcessMap;
    ProcessTasks => process_tasks -> Vec<Task>;
    Archive => archive -> Page<ArchiveRow>;
    ArchiveProcess => archive_process -> ArchiveTree;
    Report => report -> Report;
    Export => export -> ExportReply;
    // Applications and applicants.
    Applications => applications -> Page<AppRow>;
    Application => application -> ApplicationCard;
    ApplicationByNumber => application_by_number -> ApplicationCard;
    CreateApplication => create_application -> Application;
    UpdateDraft => update_draft -> Application;
    Act => act -> Application;
    SetInventory => set_inventory -> Application;
    Print => print -> PrintReply;
    PrintJournal => print_journal -> PrintReply;
    HandOver => hand_over -> Application;
    DocTemplate => doc_template -> TemplateView;
    SetDocTemplate => set_doc_template -> TemplateView;
    PreviewDocTemplate => preview_doc_template -> PrintReply;
    RefuseIntake => refuse_intake -> PrintReply;
    PrintRequest => print_request -> PrintReply;
    PrintResult => print_result -> PrintReply;
    CreateApplicant => create_applicant -> Applicant;
    FindApplicants => find_applicants -> Vec<Applicant>;
    Applicant => applicant -> Applicant;
    // Interagency requests.
    CreateOutgoing => create_outgoing -> OutgoingRequest;
    Outgoing => outgoing -> (OutgoingRequest, Vec<HistoryEntry>);
    OutgoingAnswer => outgoing_answer -> Option<AnswerView>;
    SubmitOutgoing => submit_outgoing -> OutgoingRequest;
    SigningPending => signing_pending -> Option<SigningView>;
    SigningDone => signing_done -> ();
    SigningDeclined => signing_declined -> ();
    ReopenOutgoing => reopen_outgoing -> OutgoingRequest;
    OutgoingList => outgoing_list -> Page<OutRow>;
    IncomingList => incoming_list -> Page<InRow>;
    Incoming => incoming -> (IncomingRequest, Vec<HistoryEntry>);
    Route => route -> Option<RouteView>;
    AnswerIncoming => answer_incoming -> IncomingRequest;
    ClaimIncoming => claim_incoming -> IncomingRequest;
    ReturnIncoming => return_incoming -> IncomingRequest;
    CommentIncoming => comment_incoming -> ();
    CreateRegional => create_regional -> RegionalRequest;
    SendRegional => send_regional -> RegionalRequest;
    CompleteRegional => complete_regional -> RegionalRequest;
    Regional => regional -> (RegionalRequest, Vec<HistoryEntry>);
    RegionalList => regional_list -> Page<RegRow>;
    // Files.
    AddFile => add_file -> Attachment;
    Files => files -> Vec<Attachment>;
    File => file -> FileReply;
    RemoveFile => remove_file -> ();
    // Catalog.
    Services => services -> Vec<Service>;
    Service => service -> Service;
    RequestKinds => request_kinds -> Vec<RequestKind>;
    AddService => add_service -> ServiceId;
    SetServiceActive => set_service_active -> ();
    SetPassport => set_passport -> ();
    UpdateService => update_service -> ();
    UpdateRequestKind => update_request_kind -> ();
    KindPackages => kind_packages -> Vec<PackageSummary>;
    ImportKind => import_kind -> KindImport;
    // Administration.
    Org => org -> Org;
    SetOrgDetails => set_org_details -> Org;
    Bodies => bodies -> Vec<Org>;
    RegionalBodies => regional_bodies -> Vec<RegionalBody>;
    Departments => departments -> Vec<Department>;
    AddDepartment => add_department -> DeptId;
    Groups => groups -> Vec<Group>;
    AddGroup => add_group -> GroupId;
    Roles => roles -> Vec<Role>;
    Calendar => calendar -> Calendar;
    SetCalendarDay => set_calendar_day -> Recomputed;
    ImportCalendar => import_calendar -> CalendarImport;
    Users => users -> Vec<UserView>;
    AddUser => add_user -> OneTimePassword;
    ResetPassword => reset_password -> OneTimePassword;
    SetUserActive => set_user_active -> ();
    SetUserContacts => set_user_contacts -> ();
    SetUserRoles => set_user_roles -> ();
    AuditTail => audit_tail -> Vec<AuditEntry>;
    // Operator calls: allowed to the node's own OS user and root, with no session.
    Backup => backup -> String;
    Check => check -> CheckReply;
    Unreadable => unreadable -> Vec<InboxEntry>;
    UnreadableBytes => unreadable_bytes -> Bytes;
    OperatorPasswd => operator_passwd -> String;
    SetupInfo => setup_info -> SetupInfo;
    Setup => setup -> ();
    RequestSetup => request_setup -> ();
    RegistryExport => registry_export -> String;
    RegistryImport => registry_import -> RegistryImport;
}

#[cfg(test)]
mod tests {
    use crate::call;
    use crate::proto::*;

    use volost_domain::*;

    fn parse(s: &str) -> std::result::Result<Request, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }

    #[test]
    fn the_wire_format_with_its_defaults() {
        let r = parse(r#"{"call":{"op":"claim","args":{"id":7}}}"#).expect("claim");
        assert!(matches!(
            r.call,
            Call::Claim(call::Claim {
                id: TaskId(7),
                take_over: false
            })
        ));
        assert!(r.token.is_none());
        let r = parse(r#"{"token":"t","call":{"op":"logout"}}"#).expect("logout");
        assert!(matches!(r.call, Call::Logout(_)));
        // `args` may be null or left out for an operation that takes nothing, and for one
        // whose fields all have defaults.
        let r = parse(r#"{"token":"t","call":{"op":"logout","args":null}}"#).expect("null");
        assert!(matches!(r.call, Call::Logout(_)));
        let r = parse(r#"{"call":{"op":"services"}}"#).expect("defaults");
        assert!(matches!(
            r.call,
            Call::Services(call::Services { all: false })
        ));
        let r = parse(r#"{"token":"t","call":{"op":"outgoing_list","args":{"sort":"Updated"}}}"#)
            .expect("list");
        match r.call {
            Call::OutgoingList(call::OutgoingList(l)) => {
                assert_eq!((l.sort, l.limit, l.desc), (ReqCol::Updated, 50, false));
            }
            other => panic!("{other:?}"),
        }
        // What goes out comes back.
        let c = Call::from(call::SetDue {
            id: TaskId(3),
            due: time::macros::date!(2026 - 12 - 01),
        });
        let back = parse(
            &serde_json::to_string(&Request {
                token: None,
                call: c,
            })
            .expect("ser"),
        )
        .expect("round trip");
        assert_eq!(back.call.op(), "set_due");
        let unit = serde_json::to_string(&Call::from(call::Whoami)).expect("ser");
        assert_eq!(unit, r#"{"op":"whoami"}"#);
    }

    #[test]
    fn unknown_operations_and_fields_are_refused() {
        for bad in [
            r#"{"call":{"op":"drop_tables"}}"#,
            r#"{"call":{"op":"claim","args":{"id":7,"force":true}}}"#,
            r#"{"call":{"op":"outgoing_list","args":{"sort":"Updated","limit2":1}}}"#,
            r#"{"call":{"op":"queue","args":{"queue":"Group","sort":"Due","desc":false,"filter":{},"after":null,"limit":5,"extra":1}}}"#,
            r#"{"call":{"op":"whoami"},"admin":true}"#,
            r#"{"call":{"op":"claim","args":{"id":-1}}}"#,
            r#"{"call":{"op":"claim"}}"#,
            r#"{"call":{"op":"whoami","args":{"x":1}}}"#,
            r#"{"call":{"op":"whoami","extra":1}}"#,
        ] {
            assert!(parse(bad).is_err(), "accepted: {bad}");
        }
    }
}
