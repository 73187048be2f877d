//! Keyset-paged lists. A list keeps one chunk of rows and the cursors of the chunks before
//! it, so memory does not grow with how far the user has scrolled, and moving past either
//! end of the chunk reads the next or the previous one.

use crate::text;
use volost_api::{
    AppCol, AppQuery, AppRow, Cursor, InFilter, InRow, OutFilter, OutRow, Page, RegFilter, RegRow,
    ReqCol, TaskCol, TaskQuery, TaskRow,
};
use volost_api::{ListArgs, Op, call};
use volost_domain::Queue;

/// Rows read at a time.
pub const CHUNK: usize = 100;

/// A list query: where it starts, and the call that reads a chunk.
pub trait Query: Clone {
    /// The call that reads a chunk, and so the rows it gives.
    type Call: Op<Reply = Page<Self::Row>> + Clone;
    type Row;
    fn after_mut(&mut self) -> &mut Option<Cursor>;
    fn call(&self) -> Self::Call;
}

impl Query for TaskQuery {
    type Call = call::Queue;
    type Row = TaskRow;
    fn after_mut(&mut self) -> &mut Option<Cursor> {
        &mut self.after
    }
    fn call(&self) -> call::Queue {
        call::Queue(self.clone())
    }
}

impl Query for AppQuery {
    type Call = call::Applications;
    type Row = AppRow;
    fn after_mut(&mut self) -> &mut Option<Cursor> {
        &mut self.after
    }
    fn call(&self) -> call::Applications {
        call::Applications(self.clone())
    }
}

/// The request lists share one query shape; only the call differs.
macro_rules! request_query {
    ($($filter:ty => $call:ident, $row:ty);*) => {$(
        impl Query for ListArgs<$filter> {
            type Call = call::$call;
            type Row = $row;
            fn after_mut(&mut self) -> &mut Option<Cursor> {
                &mut self.after
            }
            fn call(&self) -> call::$call {
                call::$call(self.clone())
            }
        }
    )*};
}
request_query!(OutFilter => OutgoingList, OutRow; InFilter => IncomingList, InRow; RegFilter => RegionalList, RegRow);

/// A list's order: the column it is sorted by and the direction, turned by F6 (the next
/// column) and Shift+F6 (the other direction).
pub trait Sorted {
    /// The name of the sort column, as the list's frame says it.
    fn sort_label(&self) -> &'static str;
    fn desc(&self) -> bool;
    /// The next column of those this list sorts by.
    fn next_sort(&mut self);
    fn flip(&mut self);
}

/// The column after `at` in `cols`, round to the first.
fn turn<C: Copy + PartialEq>(cols: &[C], at: &mut C) {
    let i = cols.iter().position(|c| c == at).unwrap_or(0);
    *at = cols[(i + 1) % cols.len()];
}

impl Sorted for TaskQuery {
    fn sort_label(&self) -> &'static str {
        match self.sort {
            TaskCol::Created => text::COL_CREATED,
            TaskCol::Due => text::COL_DUE,
            TaskCol::Name => text::COL_TASK,
            TaskCol::Author => text::COL_AUTHOR,
            TaskCol::Application => text::COL_APPLICATION,
            TaskCol::Holder => text::COL_HOLDER,
        }
    }
    fn desc(&self) -> bool {
        self.desc
    }
    fn next_sort(&mut self) {
        turn(&TaskCol::of(self.queue), &mut self.sort);
    }
    fn flip(&mut self) {
        self.desc = !self.desc;
    }
}

impl Sorted for AppQuery {
    fn sort_label(&self) -> &'static str {
        match self.sort {
            AppCol::Created => text::APP_CREATED,
            AppCol::Due => text::APP_DUE,
            AppCol::Status => text::APP_STATUS,
            AppCol::Updated => text::COL_UPDATED,
            AppCol::Service => text::COL_SERVICE,
            AppCol::Applicant => text::COL_APPLICANT,
            AppCol::Assignee => text::COL_ASSIGNEE,
        }
    }
    fn desc(&self) -> bool {
        self.desc
    }
    fn next_sort(&mut self) {
        turn(&AppCol::ALL, &mut self.sort);
    }
    fn flip(&mut self) {
        self.desc = !self.desc;
    }
}

/// The request lists sort by these columns, each list by its own few.
trait ReqCols {
    const COLS: &'static [ReqCol];
}
impl ReqCols for OutFilter {
    const COLS: &'static [ReqCol] = &[ReqCol::Created, ReqCol::Updated, ReqCol::Status];
}
impl ReqCols for InFilter {
    const COLS: &'static [ReqCol] = &[ReqCol::Planned, ReqCol::Created, ReqCol::Updated];
}
// One order only (status, then date): F6 turns it round like Shift+F6.
impl ReqCols for RegFilter {
    const COLS: &'static [ReqCol] = &[ReqCol::Status];
}

impl<F: ReqCols> Sorted for ListArgs<F> {
    fn sort_label(&self) -> &'static str {
        match self.sort {
            ReqCol::Created => text::COL_REQ_CREATED,
            ReqCol::Updated => text::COL_UPDATED,
            ReqCol::Status => text::COL_STATUS,
            ReqCol::Planned => text::COL_PLANNED,
        }
    }
    fn desc(&self) -> bool {
        self.desc
    }
    fn next_sort(&mut self) {
        if F::COLS.len() > 1 {
            turn(F::COLS, &mut self.sort);
        } else {
            self.flip();
        }
    }
    fn flip(&mut self) {
        self.desc = !self.desc;
    }
}

/// A list on screen: its query (filters, sort, the chunk's cursor), the chunk's rows, the
/// selection, the cursors back to earlier chunks and the one to the next.
#[derive(Clone, Debug)]
pub struct List<Q, R> {
    pub query: Q,
    pub rows: Vec<R>,
    pub selected: usize,
    pub back: Vec<Option<Cursor>>,
    pub next: Option<Cursor>,
}

pub type TaskList = List<TaskQuery, TaskRow>;
pub type AppList = List<AppQuery, AppRow>;
pub type OutList = List<ListArgs<OutFilter>, OutRow>;
pub type InList = List<ListArgs<InFilter>, InRow>;
pub type RegList = List<ListArgs<RegFilter>, RegRow>;

fn args<F: Default>(sort: ReqCol, desc: bool) -> ListArgs<F> {
    ListArgs {
        filter: F::default(),
        sort,
        desc,
        after: None,
        limit: CHUNK,
    }
}

impl OutList {
    /// «Исходящие запросы», newest first.
    pub fn new() -> OutList {
        List::with(args(ReqCol::Created, true))
    }
}

impl InList {
    /// «Входящие запросы», the nearest planned date first.
    pub fn new() -> InList {
        List::with(args(ReqCol::Planned, false))
    }
}

impl RegList {
    /// «Запросы Р-сведений»: «Новый» before «Исполнено», oldest first.
    pub fn new() -> RegList {
        List::with(args(ReqCol::Status, false))
    }
}

impl TaskList {
    /// A queue sorted as staff expect: open tasks by due date, finished ones newest first.
    pub fn new(queue: Queue) -> TaskList {
        let mut query = TaskQuery::new(queue);
        query.sort = TaskCol::Due;
        query.limit = CHUNK;
        if queue == Queue::Done {
            query.sort = TaskCol::Created;
            query.desc = true;
        }
        List::with(query)
    }
}

impl AppList {
    /// «Заявки на услуги», newest first.
    pub fn new() -> AppList {
        List::with(AppQuery {
            sort: AppCol::Created,
            desc: true,
            limit: CHUNK,
            ..AppQuery::default()
        })
    }
}

impl Default for AppList {
    fn default() -> Self {
        AppList::new()
    }
}

impl<Q, R> List<Q, R> {
    pub fn with(query: Q) -> List<Q, R> {
        List {
            query,
            rows: Vec::new(),
            selected: 0,
            back: Vec::new(),
            next: None,
        }
    }

    /// Number of the selected row, from 1, across chunks.
    pub fn position(&self) -> usize {
        self.back.len() * CHUNK + self.selected + 1
    }

    pub fn current(&self) -> Option<&R> {
        self.rows.get(self.selected)
    }
}

impl<Q: Query<Row = R>, R> List<Q, R> {
    /// Takes the chunk read at the query's cursor, keeping the selection where it can.
    pub fn fill(&mut self, page: Page<R>) {
        self.rows = page.rows;
        self.next = page.next;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// F6 (`next`: the next column) or Shift+F6 (the other direction); the list from the top.
    pub fn sort(&mut self, next: bool)
    where
        Q: Sorted,
    {
        if next {
            self.query.next_sort();
        } else {
            self.query.flip();
        }
        self.rewind();
    }

    /// From the top again (after a sort or filter change); the chunk is then read.
    pub fn rewind(&mut self) {
        *self.query.after_mut() = None;
        self.back.clear();
        self.selected = 0;
    }

    /// Moves the selection by `delta` rows. Past either end of the chunk the query moves to
    /// the next or the previous chunk and the answer is true: that chunk is to be read.
    pub fn step(&mut self, delta: isize) -> bool {
        let len = self.rows.len();
        let target = self.selected as isize + delta;
        if target >= len as isize {
            match self.next.clone() {
                Some(next) => {
                    let here = self.query.after_mut().replace(next);
                    self.back.push(here);
                    self.selected = 0;
                    return true;
                }
                None => self.selected = len.saturating_sub(1),
            }
        } else if target < 0 {
            match self.back.pop() {
                Some(prev) => {
                    *self.query.after_mut() = prev;
                    // The last row of the chunk before, once it is read (`load` keeps the
                    // selection inside the rows).
                    self.selected = usize::MAX;
                    return true;
                }
                None => self.selected = 0,
            }
        } else {
            self.selected = target as usize;
        }
        false
    }
}
