//! Random operation sequences against the store and a small in-memory model of the rules:
//! statuses, executors, queues and holders must agree after every step, and `check` (indexes
//! equal to rows) must pass at the end of every sequence.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use volost::Actor;
use volost::domain::*;
use volost::service::*;

#[derive(Clone, Debug)]
enum Op {
    Draft(usize),
    Act(usize, usize, usize),
    Launch(usize),
    Claim(usize, usize, bool),
    Return(usize, usize),
    Complete(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..4usize).prop_map(Op::Draft),
        (0..8usize, 0..7usize, 0..4usize).prop_map(|(a, b, c)| Op::Act(a, b, c)),
        (0..4usize).prop_map(Op::Launch),
        (0..8usize, 0..4usize, any::<bool>()).prop_map(|(a, b, c)| Op::Claim(a, b, c)),
        (0..8usize, 0..4usize).prop_map(|(a, b)| Op::Return(a, b)),
        (0..8usize, 0..4usize).prop_map(|(a, b)| Op::Complete(a, b)),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Spec,
    Spec2,
    Head,
    Sup,
}
const WHO: [Who; 4] = [Who::Spec, Who::Spec2, Who::Head, Who::Sup];

impl Who {
    fn role(self) -> &'static str {
        match self {
            Who::Spec | Who::Spec2 => "specialist",
            Who::Head => "head",
            Who::Sup => "super",
        }
    }
    fn assigns(self) -> bool {
        matches!(self, Who::Head | Who::Sup)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct MApp {
    status: Status,
    creator: Who,
    assignee: Option<Who>,
}

#[derive(Clone, Debug, PartialEq)]
struct MTask {
    step: usize,
    holder: Option<Who>,
    done: bool,
}

/// The model's own reading of DOMAIN.md, independent of `transition`.
fn model_act(app: &mut MApp, action: usize, who: Who) -> bool {
    use Status::*;
    let decide = |app: &mut MApp, positive: bool| {
        if app.assignee != Some(who) {
            return false;
        }
        app.status = match (who == Who::Sup, positive) {
            (true, true) => ApprovedPositive,
            (true, false) => ApprovedRefusal,
            (false, true) => ApprovingPositive,
            (false, false) => ApprovingRefusal,
        };
        true
    };
    match (app.status, action) {
        (Draft, 0) => {
            if who == app.creator {
                app.status = Deciding;
                app.assignee = Some(who);
            } else {
                app.status = Registered;
            }
            true
        }
        (Registered | Deciding, 1) if who.assigns() => {
            app.status = Deciding;
            app.assignee = Some(Who::Spec2);
            true
        }
        (Deciding, 2) => decide(app, true),
        (Deciding, 3) => decide(app, false),
        (ApprovingPositive | ApprovingRefusal, 4) if who == Who::Head => {
            app.status = Deciding;
            true
        }
        (ApprovingPositive, 5) if who == Who::Head => {
            app.status = ApprovedPositive;
            true
        }
        (ApprovingRefusal, 5) if who == Who::Head => {
            app.status = ApprovedRefusal;
            true
        }
        (ApprovedPositive | ApprovedRefusal, 6)
            if app.assignee == Some(who) || who == Who::Head =>
        {
            app.status = Closed;
            true
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_model(ops in prop::collection::vec(op(), 1..40)) {
        let fx = fixture();
        let actors = [fx.spec, fx.spec2, fx.head, fx.sup];
        let svc = service(&fx);
        let roles = fx.node.roles(fx.admin).unwrap();
        let step_roles: Vec<Vec<String>> = svc.steps.iter().map(|s| {
            s.roles.iter().filter_map(|r| roles.iter().find(|x| x.id == *r).map(|x| x.code.clone())).collect()
        }).collect();
        let mut apps: Vec<(AppId, MApp)> = Vec::new();
        let mut tasks: Vec<(TaskId, MTask)> = Vec::new();
        for op in ops {
            match op {
                Op::Draft(w) => {
                    let a = draft(&fx, actors[w]);
                    apps.push((a.id, MApp { status: Status::Draft, creator: WHO[w], assignee: None }));
                }
                Op::Act(i, action, w) => {
                    let Some((id, m)) = apps.get_mut(i) else { continue };
                    let a = match action {
                        0 => Action::Register,
                        1 => Action::AssignExecutor(uid(fx.spec2)),
                        2 => Action::Decide(Verdict::Approve),
                        3 => Action::Decide(Verdict::Refuse),
                        4 => Action::SendBack,
                        5 => Action::Publish,
                        _ => Action::Close,
                    };
                    let input = ActionInput::new(a).with_comment("к").with_reason("п", "с");
                    let ok = fx.node.act(actors[w], *id, &input).is_ok();
                    let expected = model_act(m, action, WHO[w]);
                    prop_assert_eq!(ok, expected, "app {} action {} by {:?}", i, action, WHO[w]);
                    if ok && action == 0 {
                        let p = fx.node.application(fx.head, *id).unwrap().app.process.unwrap();
                        let t = fx.node.process_tasks(fx.head, p).unwrap()[0].id;
                        tasks.push((t, MTask { step: 0, holder: None, done: false }));
                    }
                }
                Op::Launch(w) => {
                    let p = fx.node.launch_service(actors[w], svc.id, None).unwrap();
                    tasks.push((p.tasks[0], MTask { step: 0, holder: None, done: false }));
                }
                Op::Claim(i, w, over) => {
                    let Some((id, m)) = tasks.get(i).cloned() else { continue };
                    let who = WHO[w];
                    let role_ok = step_roles[m.step].is_empty() || step_roles[m.step].iter().any(|r| r == who.role());
                    let expected = !m.done && match m.holder {
                        None => role_ok,
                        Some(h) if h == who => false,
                        Some(_) => over && who.assigns(),
                    };
                    let ok = fx.node.claim(actors[w], id, over).is_ok();
                    prop_assert_eq!(ok, expected, "claim task {} by {:?}", i, who);
                    if ok { tasks[i].1.holder = Some(who); }
                }
                Op::Return(i, w) => {
                    let Some((id, m)) = tasks.get(i).cloned() else { continue };
                    let who = WHO[w];
                    let expected = !m.done && m.holder.is_some() && (m.holder == Some(who) || who.assigns());
                    let ok = fx.node.return_to_group(actors[w], id).is_ok();
                    prop_assert_eq!(ok, expected);
                    if ok { tasks[i].1.holder = None; }
                }
                Op::Complete(i, w) => {
                    let Some((id, m)) = tasks.get(i).cloned() else { continue };
                    let who = WHO[w];
                    let expected = !m.done && m.holder == Some(who);
                    let r = fx.node.complete(actors[w], id, false, "");
                    prop_assert_eq!(r.is_ok(), expected);
                    if let Ok(next) = r {
                        tasks[i].1.done = true;
                        if let Some(n) = next {
                            prop_assert_eq!(n.step as usize, m.step + 1);
                            tasks.push((n.id, MTask { step: m.step + 1, holder: None, done: false }));
                        } else {
                            prop_assert_eq!(m.step + 1, svc.steps.len());
                        }
                    }
                }
            }
        }
        // Compare everything with the model.
        for (id, m) in &apps {
            let app = fx.node.application(fx.head, *id).unwrap().app;
            prop_assert_eq!(app.status, m.status);
            let idx = |a: Actor| actors.iter().position(|x| *x == a).unwrap();
            prop_assert_eq!(app.assignee.map(|u| WHO[idx(Actor::User(u))]), m.assignee);
        }
        let mut queues: BTreeMap<TaskId, Queue> = BTreeMap::new();
        for (qi, q) in [Queue::Group, Queue::Done].into_iter().enumerate() {
            let mut tq = TaskQuery::new(q);
            tq.limit = 500;
            for r in fx.node.queue(fx.spec, &tq).unwrap().rows {
                prop_assert!(queues.insert(r.id, q).is_none(), "task in two queues ({})", qi);
            }
        }
        for a in actors {
            let mut tq = TaskQuery::new(Queue::Mine);
            tq.limit = 500;
            for r in fx.node.queue(a, &tq).unwrap().rows {
                prop_assert!(queues.insert(r.id, Queue::Mine).is_none(), "task in two queues");
            }
        }
        for (id, m) in &tasks {
            let expected = if m.done { Queue::Done } else if m.holder.is_some() { Queue::Mine } else { Queue::Group };
            prop_assert_eq!(queues.get(id), Some(&expected), "task {:?}", id);
        }
        let rep = fx.node.check().unwrap();
        prop_assert!(rep.ok(), "{:?}", rep.problems);
    }
}
