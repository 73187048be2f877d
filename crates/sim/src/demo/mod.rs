//! `volost demo seed`: realistic data for one rural district, made through the service layer
//! (so every row, index and history entry is what real work would have written).

pub mod names;
pub mod offers;

use names::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use volost_core::service::*;
use volost_domain::*;

/// The password of every demo user; printed by the demo so that nobody has to guess it.
pub const DEMO_PASSWORD: &str = "demo-volost";

/// The PIN of every demo user's personal certificate (ЭП-СП), printed beside the password.
pub const DEMO_PIN: &str = "246813";

/// Demo staff: login, ФИО, role codes.
pub const DEMO_USERS: [(&str, &str, &[&str]); 6] = [
    ("ivanova", "Иванова Марина Сергеевна", &["specialist"]),
    ("petrov", "Петров Алексей Николаевич", &["specialist"]),
    ("sidorova", "Сидорова Елена Викторовна", &["specialist"]),
    ("kuznetsov", "Кузнецов Игорь Петрович", &["super"]),
    ("glava", "Соколова Татьяна Ивановна", &["head"]),
    ("support", "Орлов Денис Андреевич", &["support"]),
];

fn snils(rng: &mut StdRng) -> String {
    loop {
        let n: u32 = rng.gen_range(2_000_000..999_999_999);
        let s = format!("{n:09}");
        let sum: u32 = s
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * (9 - i as u32))
            .sum();
        let check = match sum {
            0..=99 => sum,
            100 | 101 => 0,
            _ => sum % 101 % 100,
        };
        if let Ok(v) = validate::snils(&format!("{s}{check:02}")) {
            return v;
        }
    }
}

fn inn12(rng: &mut StdRng) -> String {
    let mut d: Vec<u32> = (0..10).map(|_| rng.gen_range(0..10)).collect();
    d[0] = 2;
    d[1] = 2;
    let w1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    d.push(w1.iter().zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11 % 10);
    let w2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    d.push(w2.iter().zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11 % 10);
    d.iter().map(|x| char::from(b'0' + *x as u8)).collect()
}

fn ogrn(rng: &mut StdRng) -> String {
    let body: u64 = 1_022_200_000_000 / 10 + rng.gen_range(0..99_999_999);
    format!("{body:012}{}", body % 11 % 10)
}

/// A generated resident of the demo district.
pub struct Person {
    pub surname: &'static str,
    pub first: &'static str,
    pub patronymic: &'static str,
    pub snils: String,
    pub passport: String,
    pub address: String,
    pub birth: time::Date,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {} {}", self.surname, self.first, self.patronymic)
    }

    /// The applicant registry entry staff would type for this person.
    pub fn input(&self) -> ApplicantInput {
        ApplicantInput {
            kind: Some(ApplicantKind::Person),
            name: self.full_name(),
            snils: self.snils.clone(),
            passport: self.passport.clone(),
            birth_date: display_date(self.birth),
            address: self.address.clone(),
            ..ApplicantInput::default()
        }
    }
}

/// A random resident with a valid СНИЛС and passport.
pub fn person(rng: &mut StdRng) -> Person {
    let fam = rng.gen_range(0..SURNAMES_MALE.len());
    let father = rng.gen_range(0..MALE_PATRONYMICS.len());
    let male = rng.gen_bool(0.5);
    let (surname, first, patronymic) = if male {
        (
            SURNAMES_MALE[fam],
            *MALE_FIRST_NAMES.choose(rng).unwrap_or(&"Иван"),
            MALE_PATRONYMICS[father],
        )
    } else {
        (
            SURNAMES_FEMALE[fam],
            *FEMALE_FIRST_NAMES.choose(rng).unwrap_or(&"Анна"),
            FEMALE_PATRONYMICS[father],
        )
    };
    let village = VILLAGES.choose(rng).unwrap_or(&"с. Заречное");
    let street = STREETS.choose(rng).unwrap_or(&"ул. Ленина");
    let address = format!(
        "{REGION}, {DISTRICT}, {village}, {street}, д. {}",
        rng.gen_range(1..120)
    );
    let birth =
        time::Date::from_julian_day(rng.gen_range(2_422_000..2_452_000)).unwrap_or(time::Date::MIN);
    Person {
        surname,
        first,
        patronymic,
        snils: snils(rng),
        passport: format!(
            "01{:02} {:06}",
            rng.gen_range(0..25),
            rng.gen_range(100_000..999_999)
        ),
        address,
        birth,
    }
}

/// One fixed value for field `f` that passes its validation (tests and benchmarks fill
/// forms with these). A file field gets none: it names an uploaded file, which the caller
/// makes (`Batch::upload`, `Node::add_file`).
pub fn sample_value(f: &Field) -> String {
    match f.ftype {
        FieldType::Text => "Тест".to_string(),
        FieldType::Number => f.min.unwrap_or(1).max(1).to_string(),
        FieldType::Date => "01.02.1980".into(),
        FieldType::Snils => "112-233-445 95".into(),
        FieldType::Inn => "500100732259".into(),
        FieldType::Ogrn => "1027700132195".into(),
        FieldType::Passport => "0104 123456".into(),
        FieldType::Phone => "+7 913 123-45-67".into(),
        FieldType::Choice => f.choices.first().cloned().unwrap_or_default(),
        FieldType::File => String::new(),
    }
}

/// A value for form field `f` that passes its validation; none for a file field (see
/// [`sample_value`]).
pub fn value_for(f: &Field, p: &Person, rng: &mut StdRng, today: time::Date) -> String {
    match f.ftype {
        FieldType::Text => match f.key.as_str() {
            "surname" | "last_name" | "family_name" => p.surname.into(),
            "first_name" => p.first.into(),
            "patronymic" | "middle_name" => p.patronymic.into(),
            "full_name" => p.full_name(),
            k if k.contains("address") || k == "location" => p.address.clone(),
            "cadastral_number" => format!(
                "22:{:02}:{:06}:{}",
                rng.gen_range(10..70),
                rng.gen_range(10_000..99_999),
                rng.gen_range(1..900)
            ),
            k if k.contains("number") => format!("{}", rng.gen_range(100..99_999)),
            _ => {
                let max = f.max_len.unwrap_or(200) as usize;
                "Согласно представленным документам"
                    .chars()
                    .take(max)
                    .collect()
            }
        },
        FieldType::Number => {
            let lo = f.min.unwrap_or(1).max(1);
            let hi = f.max.unwrap_or(lo + 1000).max(lo);
            rng.gen_range(lo..=hi).to_string()
        }
        FieldType::Date if f.key.contains("birth") => display_date(p.birth),
        FieldType::Date => {
            display_date(today.saturating_sub(time::Duration::days(rng.gen_range(1..3000))))
        }
        FieldType::Snils => p.snils.clone(),
        FieldType::Inn => inn12(rng),
        FieldType::Ogrn => ogrn(rng),
        FieldType::Passport => p.passport.clone(),
        FieldType::Phone => format!(
            "+7 9{:02} {:03}-{:02}-{:02}",
            rng.gen_range(0..99),
            rng.gen_range(0..999),
            rng.gen_range(0..99),
            rng.gen_range(0..99)
        ),
        FieldType::Choice => f.choices.choose(rng).cloned().unwrap_or_default(),
        FieldType::File => String::new(),
    }
}

/// A small text document standing for the scan a form's file field asks for.
fn document(f: &Field, p: &Person) -> (String, String) {
    let words: Vec<String> = f
        .label
        .split_whitespace()
        .take(3)
        .map(|w| w.to_lowercase().replace(['/', '\\', ','], ""))
        .collect();
    let name = format!("{}.txt", words.join("_"));
    let body = format!(
        "{}\n\nЗаявитель: {}\nАдрес: {}\n\n(Учебный документ демонстрационного узла volost.)\n",
        f.label,
        p.full_name(),
        p.address
    );
    (name, body)
}

/// What the seed made.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub users: Vec<String>,
    pub applications: usize,
    pub processes: usize,
    pub outgoing: usize,
    pub incoming: usize,
    pub regional: usize,
}

/// Adds demo staff (if missing) and `n` applications spread over the last months, in every
/// status, with their processes, tasks and some interagency requests. `admin` is the acting
/// administrator; the seed is deterministic for a given `seed`.
/// The demo body's regulations, as its registry would cite them. The last two services are
/// left without one, so that «Реестр услуг» shows what an unfilled passport looks like.
fn fill_regulations(node: &Node, admin: Actor, services: &[Service]) -> Result<()> {
    let n = services.len().saturating_sub(2);
    // «Администрация …» becomes «администрации …» in «Постановление администрации …».
    let body = node.org(admin)?.name;
    let body = match body.strip_prefix("Администрация ") {
        Some(rest) => format!("администрации {rest}"),
        None => body,
    };
    for (i, s) in services.iter().take(n).enumerate() {
        if !s.regulation.is_empty() {
            continue;
        }
        let mut p = s.passport();
        p.regulation = format!(
            "Постановление {body} от {:02}.{:02}.2024 № {} \
             «Об утверждении административного регламента предоставления муниципальной услуги \
             „{}“»",
            1 + (i * 7) % 28,
            1 + i % 12,
            11 + i * 3,
            s.name
        );
        node.set_passport(admin, s.id, &p)?;
    }
    Ok(())
}

pub fn seed(node: &Node, admin: Actor, n: usize, seed: u64) -> Result<SeedReport> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = SeedReport::default();
    let groups = node.groups(admin)?;
    let group = groups
        .first()
        .map(|g| g.id)
        .ok_or_else(|| Error::NotAllowed("Нет группы".into()))?;
    let mut depts = node.departments(admin)?;
    if depts.is_empty() {
        let root = node.add_department(admin, COUNCILS[0], None)?;
        for d in DEPARTMENTS.iter().take(3) {
            node.add_department(admin, d, Some(root))?;
        }
        depts = node.departments(admin)?;
    }
    let mut staff = Vec::new();
    for (login, name, roles) in DEMO_USERS {
        let user = match node.user_by_login(login)? {
            Some(u) => u,
            None => {
                let dept = depts
                    .get(1 + staff.len() % 3.min(depts.len().saturating_sub(1)).max(1))
                    .or(depts.first())
                    .map(|d| d.id);
                let (u, _) = node.add_user(
                    admin,
                    &NewUser {
                        login: login.into(),
                        full_name: name.into(),
                        dept,
                        roles: roles.iter().map(|r| r.to_string()).collect(),
                        groups: vec![group],
                    },
                )?;
                node.set_demo_password(admin, u.id, DEMO_PASSWORD)?;
                if roles.iter().any(|r| matches!(*r, "specialist" | "super")) {
                    // So that the kinds that ask for ЭП-СП can be sent from the demo.
                    let p12 = volost_smev::personal::test_container(
                        name,
                        "Петропавловский сельсовет",
                        365,
                        DEMO_PIN,
                    )
                    .map_err(|e| Error::Internal(format!("demo certificate: {e}")))?;
                    volost_smev::staff::import_cert(node, admin, login, &p12, DEMO_PIN, DEMO_PIN)?;
                }
                u
            }
        };
        report.users.push(login.to_string());
        staff.push(user);
    }
    let services = node.services(admin, false)?;
    fill_regulations(node, admin, &services)?;
    let kinds = node.request_kinds(admin)?;
    let specialists: Vec<UserId> = staff.iter().take(4).map(|u| u.id).collect();
    let head = staff[4].id;
    let now = node.now();
    let today = now.date(node.options().utc_offset);
    let people: Vec<Person> = (0..(n / 3).max(20)).map(|_| person(&mut rng)).collect();
    let mut applicants: Vec<Option<ApplicantId>> = vec![None; people.len()];

    let org = node.org(admin)?.id;
    let day_ms = 86_400_000i64;
    let chunk = 500;
    let mut done = 0;
    while done < n {
        let this = chunk.min(n - done);
        node.batch(admin, "demo.seed", |b| {
            for i in 0..this {
                // Older applications have had more time to move through the lifecycle.
                let age_days = rng.gen_range(0..150i64);
                let start = Ts(now.0 - age_days * day_ms - rng.gen_range(0..8 * 3_600_000));
                let spec = specialists[(done + i) % specialists.len()];
                let svc = &services[rng.gen_range(0..services.len())];
                let pi = rng.gen_range(0..people.len());
                let p = &people[pi];
                let source = match rng.gen_range(0..10) {
                    0..=4 => Source::Manual,
                    5 => Source::Mfc,
                    6..=8 => Source::Epgu,
                    _ => Source::Rpgu,
                };
                // A portal's application comes over SMEV: the node itself takes it in.
                let portal = source.from_portal();
                b.at(start);
                b.act_as(if portal {
                    Actor::System(org)
                } else {
                    Actor::User(spec)
                })?;
                let applicant = match applicants[pi] {
                    Some(a) => ApplicantRef::Existing(a),
                    None => ApplicantRef::New(p.input()),
                };
                let mut data: BTreeMap<String, String> = svc
                    .fields
                    .iter()
                    .filter(|f| f.ftype != FieldType::File)
                    .map(|f| (f.key.clone(), value_for(f, p, &mut rng, today)))
                    .collect();
                for f in svc.fields.iter().filter(|f| f.ftype == FieldType::File) {
                    let (name, body) = document(f, p);
                    let file = b.upload(&name, body.as_bytes())?;
                    data.insert(f.key.clone(), file.id.to_string());
                }
                let app = b.create_application(&NewApplication {
                    service: svc.id,
                    dept: None,
                    applicant,
                    data,
                    source,
                })?;
                applicants[pi] = Some(app.applicant);
                report.applications += 1;
                // How far this one went: drafts are rare and recent, old ones are closed.
                let stage = match age_days {
                    0..=1 => rng.gen_range(0..3),
                    2..=30 => rng.gen_range(1..8).min(1 + age_days as u32 / 5),
                    // A few old ones are stuck: the overdue work a supervisor must see.
                    _ if rng.gen_bool(0.05) => rng.gen_range(1..6),
                    _ => rng.gen_range(6..8),
                };
                let mut t = start.0;
                let step = |b: &mut Batch,
                            t: &mut i64,
                            who: UserId,
                            input: ActionInput,
                            rng: &mut StdRng|
                 -> Result<()> {
                    *t = (*t + rng.gen_range(1..(2 * day_ms))).min(now.0);
                    b.at(Ts(*t));
                    b.act_as(Actor::User(who))?;
                    b.act(app.id, &input)?;
                    Ok(())
                };
                // A portal's application is never a draft: it is registered as it arrives.
                let stage = if portal { stage.max(1) } else { stage };
                if stage >= 1 && portal {
                    b.act_as(Actor::System(org))?;
                    b.act(app.id, &ActionInput::new(Action::Register))?;
                    // The head names its executor.
                    if stage >= 2 {
                        step(
                            b,
                            &mut t,
                            head,
                            ActionInput::new(Action::AssignExecutor(spec)),
                            &mut rng,
                        )?;
                    }
                    report.processes += 1;
                } else if stage >= 1 {
                    // The specialist both created and registers it, so it is assigned to them.
                    step(
                        b,
                        &mut t,
                        spec,
                        ActionInput::new(Action::Register),
                        &mut rng,
                    )?;
                    // What the applicant handed in at the desk: the receipt prints from it.
                    b.set_inventory(app.id, inventory(&svc.documents, &mut rng))?;
                    report.processes += 1;
                }
                let approve = rng.gen_bool(0.8);
                let verdict = if approve {
                    Verdict::Approve
                } else {
                    Verdict::Refuse
                };
                let reason = if approve {
                    "Документы представлены в полном объёме"
                } else {
                    "Не представлены документы, указанные в регламенте"
                };
                if stage >= 2 && rng.gen_bool(0.3) && !kinds.is_empty() {
                    let k = &kinds[rng.gen_range(0..kinds.len())];
                    let kdata: BTreeMap<String, String> = k
                        .fields
                        .iter()
                        .map(|f| (f.key.clone(), value_for(f, p, &mut rng, today)))
                        .collect();
                    b.act_as(Actor::User(spec))?;
                    let req = b.create_outgoing(k.id, Some(app.id), &kdata)?;
                    report.outgoing += 1;
                    let evs: &[OutEvent] = match rng.gen_range(0..6) {
                        0 => &[],
                        1 => &[OutEvent::Prepared, OutEvent::Sent],
                        2 => &[
                            OutEvent::Prepared,
                            OutEvent::Sent,
                            OutEvent::AcceptedByAgency,
                        ],
                        3 | 4 => &[
                            OutEvent::Prepared,
                            OutEvent::Sent,
                            OutEvent::AcceptedByAgency,
                            OutEvent::AnswerReceived,
                        ],
                        _ => &[OutEvent::Prepared, OutEvent::NotSent],
                    };
                    for ev in evs {
                        b.act_as(Actor::System(app.org))?;
                        b.outgoing_event(
                            req.id,
                            *ev,
                            if *ev == OutEvent::NotSent {
                                "Истекло время ожидания ответа СМЭВ"
                            } else {
                                ""
                            },
                        )?;
                    }
                }
                if stage >= 3 {
                    step(
                        b,
                        &mut t,
                        spec,
                        ActionInput::new(Action::Decide(verdict))
                            .with_reason(reason, "Результат можно получить в администрации"),
                        &mut rng,
                    )?;
                }
                let super_user = staff[3].id == spec;
                if stage >= 4 && !super_user && rng.gen_bool(0.15) {
                    step(
                        b,
                        &mut t,
                        head,
                        ActionInput::new(Action::SendBack)
                            .with_comment("Уточните основание решения"),
                        &mut rng,
                    )?;
                    step(
                        b,
                        &mut t,
                        spec,
                        ActionInput::new(Action::Decide(verdict)).with_reason(reason, ""),
                        &mut rng,
                    )?;
                }
                // Work the process's tasks as far as the application went, before its final
                // decision: a decision ends the process and closes what is left open.
                if let Some(pid) = b.application(app.id)?.process {
                    // Closed applications have finished processes; the others are part-way.
                    let steps_done = if stage >= 6 {
                        usize::MAX
                    } else {
                        (stage as usize).saturating_sub(1)
                    };
                    let workers: Vec<UserId> = staff.iter().take(5).map(|u| u.id).collect();
                    let mut k = 0;
                    while k < steps_done {
                        let Some(task) = b.open_task(pid)? else { break };
                        t = (t + rng.gen_range(1..day_ms)).min(now.0);
                        b.at(Ts(t));
                        // The first worker whose role may take this step claims it.
                        let first = rng.gen_range(0..workers.len());
                        let mut claimed = None;
                        for j in 0..workers.len() {
                            let who = workers[(first + j) % workers.len()];
                            b.act_as(Actor::User(who))?;
                            if b.claim(task, false).is_ok() {
                                claimed = Some(who);
                                break;
                            }
                        }
                        if claimed.is_none() {
                            break;
                        }
                        b.complete(task, false, "")?;
                        k += 1;
                    }
                    // Some open tasks are held by someone, as in a real working day.
                    if let Some(task) = b.open_task(pid)?
                        && rng.gen_bool(0.3)
                    {
                        b.act_as(Actor::User(
                            specialists[rng.gen_range(0..specialists.len())],
                        ))?;
                        let _ = b.claim(task, false);
                    }
                }
                if stage >= 5 && !super_user {
                    step(b, &mut t, head, ActionInput::new(Action::Publish), &mut rng)?;
                }
                if stage >= 6 {
                    step(b, &mut t, spec, ActionInput::new(Action::Close), &mut rng)?;
                }
            }
            b.at(now);
            Ok(())
        })?;
        done += this;
    }
    if !kinds.is_empty() {
        let spec = specialists[0];
        for i in 0..12 {
            let k = &kinds[i % kinds.len()];
            let p = &people[rng.gen_range(0..people.len())];
            let data = k
                .fields
                .iter()
                .map(|f| (f.key.clone(), value_for(f, p, &mut rng, today)))
                .collect();
            let org = node.org(admin)?.id;
            let req = node.receive_incoming(
                Actor::System(org),
                &IncomingInput {
                    kind: k.id,
                    consumer_number: format!("{}-{:05}", k.code, rng.gen_range(1..99_999)),
                    message_id: format!(
                        "{:08x}-{:04x}-11ef-{:04x}-{:012x}",
                        rng.r#gen::<u32>(),
                        rng.r#gen::<u16>(),
                        rng.r#gen::<u16>(),
                        rng.gen_range(0..1u64 << 48)
                    ),
                    data,
                    planned_days: 5,
                },
            )?;
            report.incoming += 1;
            if i % 3 == 0 {
                let answer = k
                    .answer_fields
                    .iter()
                    .map(|f| (f.key.clone(), value_for(f, p, &mut rng, today)))
                    .collect();
                node.answer_incoming(Actor::User(spec), req.id, &answer, None)?;
            }
        }
        report.regional = seed_regional(node, admin, spec)?;
    }
    Ok(report)
}

/// A district body beside the council on the same node, with one specialist, and regional
/// requests both ways; skipped when the node already has another body.
fn seed_regional(node: &Node, admin: Actor, spec: UserId) -> Result<usize> {
    if !node.bodies(admin)?.is_empty() {
        return Ok(0);
    }
    let ours = node.org(admin)?;
    let district = node.add_org(
        admin,
        &NewOrg {
            name: "Администрация Заречного района Алтайского края".into(),
            short_name: "Администрация Заречного района".into(),
            oktmo: "01634000".into(),
            ogrn: "1022200000020".into(),
            inn: String::new(),
            ..Default::default()
        },
    )?;
    let sys = Actor::System(district);
    let group = node
        .groups(sys)?
        .first()
        .map(|g| g.id)
        .ok_or_else(|| Error::NotAllowed("Нет группы".into()))?;
    let rayon = match node.user_by_login("rayon")? {
        Some(u) => u,
        None => {
            let (u, _) = node.add_user(
                sys,
                &NewUser {
                    login: "rayon".into(),
                    full_name: "Белова Ольга Петровна".into(),
                    dept: None,
                    roles: vec!["specialist".into()],
                    groups: vec![group],
                },
            )?;
            node.set_demo_password(sys, u.id, DEMO_PASSWORD)?;
            u
        }
    };
    let me = Actor::User(spec);
    let district_name = "Администрация Заречного района";
    let answered = node.create_regional(
        me,
        &RegionalInput {
            provider: district_name.to_string(),
            provider_org: Some(district),
            application: None,
            subject: "Сведения о земельном участке 22:14:050101:12".into(),
            comment: "Прошу сообщить, предоставлялся ли участок в аренду".into(),
            ..Default::default()
        },
    )?;
    node.complete_regional(
        Actor::User(rayon.id),
        answered.id,
        "Участок в аренду не предоставлялся",
    )?;
    node.create_regional(
        me,
        &RegionalInput {
            provider: district_name.to_string(),
            provider_org: Some(district),
            application: None,
            subject: "Копия решения о переводе жилого помещения".into(),
            comment: "".into(),
            ..Default::default()
        },
    )?;
    node.create_regional(
        me,
        &RegionalInput {
            provider: "МФЦ Алтайского края".into(),
            provider_org: None,
            application: None,
            subject: "Сведения о выданных результатах услуги".into(),
            comment: "За октябрь 2026 года".into(),
            ..Default::default()
        },
    )?;
    node.create_regional(
        Actor::User(rayon.id),
        &RegionalInput {
            provider: ours.display_name().to_string(),
            provider_org: Some(ours.id),
            application: None,
            subject: "Численность населения на 1 ноября 2026 года".into(),
            comment: "Для сводного отчёта района".into(),
            ..Default::default()
        },
    )?;
    Ok(4)
}

/// A desk application's inventory: the statement in the original, the identity document in
/// a copy, and now and then the next document of the service's list.
fn inventory(documents: &[String], rng: &mut StdRng) -> Vec<Received> {
    documents
        .iter()
        .take(if rng.gen_bool(0.3) { 3 } else { 2 })
        .enumerate()
        .map(|(i, name)| Received {
            name: name.clone(),
            original: i == 0,
            copies: 1,
            sheets: if i == 0 { 1 } else { rng.gen_range(1..5) },
        })
        .collect()
}
