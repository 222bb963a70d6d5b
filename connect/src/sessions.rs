//! Client sessions: one engine `Session` (views, configuration) per
//! `(user_id, session_id)` a client presents, and the operations it runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ember_engine::Session;
use tonic::Status;

use crate::errors::invalid_plan;
use prost::Message;

use crate::operation::Operation;
use crate::proto::spark::connect::{Relation, StorageLevel};

pub struct ServerSession {
    pub user_id: String,
    pub session_id: String,
    /// Stable for the life of the session; the client checks it never changes.
    pub server_side_session_id: String,
    pub engine: Arc<Session>,
    operations: Mutex<HashMap<String, Arc<Operation>>>,
    /// Storage levels of persisted DataFrames, by their encoded relation.
    /// Ember does not cache results yet; the levels are what `storageLevel` reports.
    persisted: Mutex<HashMap<Vec<u8>, StorageLevel>>,
}

impl ServerSession {
    pub fn persist(&self, relation: &Relation, level: StorageLevel) {
        self.persisted.lock().unwrap_or_else(|e| e.into_inner()).insert(relation.encode_to_vec(), level);
    }

    pub fn unpersist(&self, relation: &Relation) {
        self.persisted.lock().unwrap_or_else(|e| e.into_inner()).remove(&relation.encode_to_vec());
    }

    /// The level a DataFrame was persisted with; all false when it was not.
    pub fn storage_level(&self, relation: &Relation) -> StorageLevel {
        self.persisted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&relation.encode_to_vec())
            .cloned()
            .unwrap_or(StorageLevel { replication: 1, ..Default::default() })
    }

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
                persisted: Mutex::new(HashMap::new()),
            })
        });
        Ok(session.clone())
    }

    /// A new session (`new_session_id`, or a fresh id) with a copy of an
    /// existing session's views, tables and configuration.
    pub fn clone_session(
        &self,
        source: &ServerSession,
        new_session_id: Option<String>,
    ) -> Result<Arc<ServerSession>, Status> {
        let id = new_session_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if uuid::Uuid::parse_str(&id).is_err() {
            return Err(invalid_plan(format!("[INVALID_HANDLE.FORMAT] The handle {id} is invalid.")));
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let key = (source.user_id.clone(), id.clone());
        if sessions.contains_key(&key) {
            return Err(Status::already_exists(format!(
                "[INVALID_HANDLE.SESSION_ALREADY_EXISTS] The handle {id} is invalid. Session already exists."
            )));
        }
        let session = Arc::new(ServerSession {
            user_id: source.user_id.clone(),
            session_id: id,
            server_side_session_id: uuid::Uuid::new_v4().to_string(),
            engine: Arc::new(source.engine.fork()),
            operations: Mutex::new(HashMap::new()),
            persisted: Mutex::new(HashMap::new()),
        });
        sessions.insert(key, session.clone());
        Ok(session)
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

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "00112233-4455-6677-8899-aabbccddeeff";

    #[test]
    fn sessions_are_keyed_by_user_and_id_and_need_uuids() {
        let m = SessionManager::default();
        let a = m.get_or_create("u", A).unwrap();
        assert!(Arc::ptr_eq(&a, &m.get_or_create("u", A).unwrap()));
        assert!(!Arc::ptr_eq(&a, &m.get_or_create("v", A).unwrap()));
        assert!(m.get_or_create("u", "not-a-uuid").is_err());
        assert!(m.release("u", A).is_some());
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn a_cloned_session_copies_views_and_config_then_lives_apart() {
        let m = SessionManager::default();
        let a = m.get_or_create("u", A).unwrap();
        a.engine.sql("CREATE TEMPORARY VIEW v AS SELECT 1 AS x").unwrap();
        a.engine.set_config("spark.sql.ansi.enabled", "false").unwrap();
        let b = m.clone_session(&a, None).unwrap();
        assert_ne!(a.server_side_session_id, b.server_side_session_id);
        assert!(b.engine.table_exists(&["v".to_string()]));
        assert!(!b.engine.config().ansi_enabled());
        b.engine.sql("DROP VIEW v").unwrap();
        assert!(a.engine.table_exists(&["v".to_string()]));
        assert!(m.clone_session(&a, Some(b.session_id.clone())).is_err());
    }
}
