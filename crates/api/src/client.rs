//! The blocking client of the local API, for the TUI and the CLI: one Unix socket
//! connection, one request line out, one reply line back.

use crate::call;
use crate::ops::{Call, Op};
use crate::proto::{ApiError, Reply, Request, SessionInfo};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to {path}: {source}")]
    Connect {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("connection to the daemon lost: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Api(ApiError),
    #[error("unexpected reply from the daemon: {0}")]
    Protocol(String),
}

impl ClientError {
    /// The message for staff.
    pub fn ru(&self) -> String {
        match self {
            ClientError::Connect { source, .. }
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                "Нет доступа к узлу: учётная запись не входит в группу volost".into()
            }
            ClientError::Connect { .. } => {
                "Нет связи с узлом: служба volost не запущена. Обратитесь к администратору".into()
            }
            ClientError::Io(_) => "Связь с узлом прервалась: повторите действие".into(),
            ClientError::Api(e) => e.message.clone(),
            ClientError::Protocol(_) => {
                "Узел ответил непонятно: версии программы не совпадают?".into()
            }
        }
    }

    /// The API error, if the daemon answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }
}

pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    token: Option<String>,
    line: String,
}

impl Client {
    pub fn connect(path: &Path) -> Result<Client, ClientError> {
        let s = UnixStream::connect(path).map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
        let writer = s.try_clone()?;
        Ok(Client {
            reader: BufReader::new(s),
            writer,
            token: None,
            line: String::new(),
        })
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Uses a token from an earlier login (or none).
    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// Sends one call and reads its reply line.
    fn exchange(&mut self, call: Call) -> Result<(), ClientError> {
        let req = Request {
            token: self.token.clone(),
            call,
        };
        let mut line =
            serde_json::to_vec(&req).map_err(|e| ClientError::Protocol(e.to_string()))?;
        line.push(b'\n');
        self.writer.write_all(&line)?;
        self.line.clear();
        if self.reader.read_line(&mut self.line)? == 0 {
            return Err(ClientError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        Ok(())
    }

    /// Sends one call and reads the answer as the type its operation names.
    pub fn ask<R: Op>(&mut self, args: R) -> Result<R::Reply, ClientError> {
        self.exchange(args.into())?;
        // Straight into the reply type, with no JSON tree between.
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Line<T> {
            Ok(T),
            Error(ApiError),
        }
        match serde_json::from_str::<Line<R::Reply>>(&self.line) {
            Ok(Line::Ok(v)) => Ok(v),
            Ok(Line::Error(e)) => Err(ClientError::Api(e)),
            Err(e) => Err(ClientError::Protocol(format!("{}: {e}", R::NAME))),
        }
    }

    /// Sends one call and returns the answer as JSON, for tools that print it as it came.
    pub fn call_value(&mut self, call: impl Into<Call>) -> Result<serde_json::Value, ClientError> {
        self.exchange(call.into())?;
        match serde_json::from_str::<Reply>(&self.line) {
            Ok(Reply::Ok(v)) => Ok(v),
            Ok(Reply::Error(e)) => Err(ClientError::Api(e)),
            Err(e) => Err(ClientError::Protocol(e.to_string())),
        }
    }

    /// Logs in; later calls carry the new session's token.
    pub fn login(&mut self, login: &str, password: &str) -> Result<SessionInfo, ClientError> {
        let info = self.ask(call::Login {
            login: login.into(),
            password: password.into(),
        })?;
        self.token.clone_from(&info.token);
        Ok(info)
    }

    /// Sends bytes as they are, for tests of what the daemon does with bad input; returns
    /// the reply line.
    pub fn raw(&mut self, bytes: &[u8]) -> Result<String, ClientError> {
        self.writer.write_all(bytes)?;
        self.line.clear();
        self.reader.read_line(&mut self.line)?;
        Ok(self.line.clone())
    }
}
