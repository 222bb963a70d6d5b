//! Client sessions: one engine `Session` (views, configuration) per
//! `(user_id, session_id)` a client presents, and the operations it runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ember_engine::Session;
use tonic::Status;

use crate::errors::invalid_plan;
use crate::operation::Operation;

pub struct ServerSession {
    pub user_id: String,
    pub session_id: String,
    /// Stable for the life of the session; the client checks it never changes.
    pub server_side_session_id: String,
    pub engine: Arc<Session>,
    operations: Mutex<HashMap<String, Arc<Operation>>>,
}

impl ServerSession {
    pub fn operation(&self, id: &str) -> Option<Arc<Operation>> {
        self.operations.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    /// Registers a new operation; an id already in use is the client's error.
    pub fn add_operation(&self, op: Arc<Operation>) -> Result<(), Status> {
        let mut ops = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        if ops.contains_key(&op.id) {
            return Err(Status::already_exists(format!(
                "[INVALID_HANDLE.OPERATION_ALREADY_EXISTS] The handle {} is invalid. Operation already exists.",
                op.id
            )));
        }
        ops.insert(op.id.clone(), op);
        Ok(())
    }

    pub fn remove_operation(&self, id: &str) -> Option<Arc<Operation>> {
        self.operations.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }

    pub fn operations(&self) -> Vec<Arc<Operation>> {
        self.operations.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }

    /// Interrupts every running operation and frees what they hold.
    pub fn interrupt_all(&self) -> Vec<String> {
        let ops = self.operations();
        let mut ids = vec![];
        for op in ops {
            if op.interrupt() {
                ids.push(op.id.clone());
            }
        }
        self.engine.cancel();
        ids
    }
}

#[derive(Default)]
pub struct SessionManager {
    sessions: Mutex<HashMap<(String, String), Arc<ServerSession>>>,
}

impl SessionManager {
    /// The session for a request, created on first use. Spark requires the
    /// client's session id to be a UUID.
    pub fn get_or_create(&self, user_id: &str, session_id: &str) -> Result<Arc<ServerSession>, Status> {
        if uuid::Uuid::parse_str(session_id).is_err() {
            return Err(invalid_plan(format!(
                "[INVALID_HANDLE.FORMAT] The handle {session_id} is invalid. Handle must be an UUID string of the format '00112233-4455-6677-8899-aabbccddeeff'"
            )));
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let key = (user_id.to_string(), session_id.to_string());
        let session = sessions.entry(key).or_insert_with(|| {
            Arc::new(ServerSession {
                user_id: user_id.to_string(),
                session_id: session_id.to_string(),
                server_side_session_id: uuid::Uuid::new_v4().to_string(),
                engine: Arc::new(Session::new()),
                operations: Mutex::new(HashMap::new()),
            })
        });
        Ok(session.clone())
    }

    /// Ends a session: interrupts its operations and drops its state.
    pub fn release(&self, user_id: &str, session_id: &str) -> Option<Arc<ServerSession>> {
        let removed = self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(user_id.to_string(), session_id.to_string()));
        if let Some(s) = &removed {
            s.interrupt_all();
        }
        removed
    }

    pub fn len(&self) -> usize {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
