//! The connection to the daemon: the local API client with its session token, reconnecting
//! once when the socket broke (the daemon restarted, or was away for a moment). What the user
//! typed lives in the screens' state, never here, so a lost connection loses nothing of it.

use std::path::{Path, PathBuf};
use volost_api::{Client, ClientError, Op};

pub struct Conn {
    path: PathBuf,
    client: Option<Client>,
    token: Option<String>,
}

impl Conn {
    pub fn new(path: &Path) -> Conn {
        Conn {
            path: path.to_path_buf(),
            client: None,
            token: None,
        }
    }

    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
        if let Some(c) = &mut self.client {
            c.set_token(self.token.clone());
        }
    }

    /// Another connection with the same session, for a call that waits long (a signature
    /// made in the web page) on a thread of its own while this one goes on.
    pub fn another(&self) -> Conn {
        Conn {
            path: self.path.clone(),
            client: None,
            token: self.token.clone(),
        }
    }

    fn connected(&mut self) -> Result<&mut Client, ClientError> {
        if self.client.is_none() {
            let mut c = Client::connect(&self.path)?;
            c.set_token(self.token.clone());
            self.client = Some(c);
        }
        self.client
            .as_mut()
            .ok_or_else(|| ClientError::Protocol("no connection".into()))
    }

    /// One call; a broken connection is made again and the call sent once more. A call that
    /// reached the daemon before the break ran whole or not at all, and calls that change
    /// something refuse a second time with a clear message (the task is already yours).
    pub fn ask<R: Op + Clone>(&mut self, call: R) -> Result<R::Reply, ClientError> {
        match self.connected()?.ask(call.clone()) {
            Err(ClientError::Io(_)) => {
                self.client = None;
                self.connected()?.ask(call)
            }
            r => r,
        }
    }
}
