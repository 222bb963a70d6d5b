//! The Spark Connect gRPC service: request plumbing around the engine.
//!
//! Every RPC finds (or creates) the client's session, does its work on a
//! blocking thread when it touches the engine (CPU work never runs on the
//! async runtime), and turns errors into Spark-shaped statuses. A panic in
//! the engine becomes an internal error for that request only.

use std::sync::Arc;

use ember_core::Error;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::errors::{invalid_plan, to_status};
use crate::operation::Operation;
use crate::proto::spark::connect::execute_plan_request::request_option::RequestOption;
use crate::proto::spark::connect::interrupt_request::{Interrupt, InterruptType};
use crate::proto::spark::connect::release_execute_request::Release;
use crate::proto::spark::connect::spark_connect_service_server::SparkConnectService;
use crate::proto::spark::connect::*;
use crate::sessions::{ServerSession, SessionManager};

#[derive(Default)]
pub struct EmberConnectService {
    pub sessions: Arc<SessionManager>,
}

fn user_id(ctx: &Option<UserContext>) -> String {
    ctx.as_ref().map(|c| c.user_id.clone()).unwrap_or_default()
}

/// Runs engine work off the async runtime; panics become internal errors.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> ember_core::Result<T> + Send + 'static) -> Result<T, Status> {
    match tokio::task::spawn_blocking(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))).await {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(to_status(&e)),
        Ok(Err(panic)) => Err(to_status(&Error::internal(panic_message(panic)))),
        Err(join) => Err(to_status(&Error::internal(join.to_string()))),
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

impl EmberConnectService {
    fn session(&self, ctx: &Option<UserContext>, session_id: &str) -> Result<Arc<ServerSession>, Status> {
        self.sessions.get_or_create(&user_id(ctx), session_id)
    }

    /// Stamps ids on the responses of an operation and streams them.
    fn start_operation(
        &self,
        session: Arc<ServerSession>,
        operation_id: String,
        tags: Vec<String>,
        reattachable: bool,
        plan: Plan,
    ) -> Result<BoxStream<ExecutePlanResponse>, Status> {
        let op = Operation::new(operation_id.clone(), tags, reattachable);
        session.add_operation(op.clone())?;
        let engine = session.engine.clone();
        let (sid, ssid) = (session.session_id.clone(), session.server_side_session_id.clone());
        let producer = op.clone();
        tokio::spawn(async move {
            match blocking(move || crate::execute::run_plan(&engine, plan)).await {
                Ok(responses) => {
                    for mut r in responses {
                        r.session_id = sid.clone();
                        r.server_side_session_id = ssid.clone();
                        r.operation_id = operation_id.clone();
                        r.response_id = uuid::Uuid::new_v4().to_string();
                        producer.push(r);
                    }
                    producer.finish(None);
                }
                Err(status) => producer.finish(Some(status)),
            }
        });
        let on_end = {
            let session = session.clone();
            let op = op.clone();
            move || {
                if !op.reattachable {
                    session.remove_operation(&op.id);
                }
            }
        };
        Ok(Box::pin(op.stream_from(0, on_end)))
    }
}

#[tonic::async_trait]
impl SparkConnectService for EmberConnectService {
    async fn execute_plan(
        &self,
        request: Request<ExecutePlanRequest>,
    ) -> Result<Response<BoxStream<ExecutePlanResponse>>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let operation_id = match req.operation_id {
            Some(id) if uuid::Uuid::parse_str(&id).is_err() => {
                return Err(invalid_plan(format!("[INVALID_HANDLE.FORMAT] The handle {id} is invalid.")))
            }
            Some(id) => id,
            None => uuid::Uuid::new_v4().to_string(),
        };
        let reattachable = req
            .request_options
            .iter()
            .any(|o| matches!(&o.request_option, Some(RequestOption::ReattachOptions(r)) if r.reattachable));
        let plan = req.plan.ok_or_else(|| invalid_plan("ExecutePlanRequest without a plan"))?;
        let stream = self.start_operation(session, operation_id, req.tags, reattachable, plan)?;
        Ok(Response::new(stream))
    }

    async fn analyze_plan(
        &self,
        request: Request<AnalyzePlanRequest>,
    ) -> Result<Response<AnalyzePlanResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let analyze = req.analyze.ok_or_else(|| invalid_plan("AnalyzePlanRequest without a request"))?;
        use analyze_plan_request::Analyze;
        use analyze_plan_response as res;
        let missing = || invalid_plan("persist/unpersist/storageLevel without a relation");
        let result = match analyze {
            Analyze::Persist(p) => {
                let level = p.storage_level.unwrap_or(StorageLevel {
                    use_disk: true,
                    use_memory: true,
                    use_off_heap: false,
                    deserialized: true,
                    replication: 1,
                });
                session.persist(p.relation.as_ref().ok_or_else(missing)?, level);
                res::Result::Persist(res::Persist {})
            }
            Analyze::Unpersist(u) => {
                session.unpersist(u.relation.as_ref().ok_or_else(missing)?);
                res::Result::Unpersist(res::Unpersist {})
            }
            Analyze::GetStorageLevel(g) => res::Result::GetStorageLevel(res::GetStorageLevel {
                storage_level: Some(session.storage_level(g.relation.as_ref().ok_or_else(missing)?)),
            }),
            other => {
                let engine = session.engine.clone();
                blocking(move || crate::analyze::analyze(&engine, other)).await?
            }
        };
        Ok(Response::new(AnalyzePlanResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            result: Some(result),
        }))
    }

    async fn config(&self, request: Request<ConfigRequest>) -> Result<Response<ConfigResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let op =
            req.operation.and_then(|o| o.op_type).ok_or_else(|| invalid_plan("ConfigRequest without an operation"))?;
        let (pairs, warnings) = crate::config::handle(&session.engine, op).map_err(|e| to_status(&e))?;
        Ok(Response::new(ConfigResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            pairs,
            warnings,
        }))
    }

    /// Artifacts (jars, Python files) are accepted and acknowledged; Ember runs
    /// no user code, so they are not used.
    async fn add_artifacts(
        &self,
        request: Request<tonic::Streaming<AddArtifactsRequest>>,
    ) -> Result<Response<AddArtifactsResponse>, Status> {
        let mut stream = request.into_inner();
        let mut session = None;
        let mut artifacts = vec![];
        while let Some(req) = stream.message().await? {
            if session.is_none() {
                session = Some(self.session(&req.user_context, &req.session_id)?);
            }
            use add_artifacts_request::Payload;
            match req.payload {
                Some(Payload::Batch(b)) => artifacts.extend(
                    b.artifacts
                        .into_iter()
                        .map(|a| add_artifacts_response::ArtifactSummary { name: a.name, is_crc_successful: true }),
                ),
                Some(Payload::BeginChunk(b)) => {
                    artifacts.push(add_artifacts_response::ArtifactSummary { name: b.name, is_crc_successful: true })
                }
                Some(Payload::Chunk(_)) | None => {}
            }
        }
        let session = session.ok_or_else(|| invalid_plan("AddArtifacts without requests"))?;
        Ok(Response::new(AddArtifactsResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            artifacts,
        }))
    }

    async fn artifact_status(
        &self,
        request: Request<ArtifactStatusesRequest>,
    ) -> Result<Response<ArtifactStatusesResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let statuses =
            req.names.into_iter().map(|n| (n, artifact_statuses_response::ArtifactStatus { exists: false })).collect();
        Ok(Response::new(ArtifactStatusesResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            statuses,
        }))
    }

    async fn interrupt(&self, request: Request<InterruptRequest>) -> Result<Response<InterruptResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let interrupted_ids = match InterruptType::try_from(req.interrupt_type).unwrap_or(InterruptType::Unspecified) {
            InterruptType::All => session.interrupt_all(),
            InterruptType::Tag => {
                let Some(Interrupt::OperationTag(tag)) = req.interrupt else {
                    return Err(invalid_plan("INTERRUPT_TYPE_TAG without a tag"));
                };
                interrupt_where(&session, |op| op.tags.contains(&tag))
            }
            InterruptType::OperationId => {
                let Some(Interrupt::OperationId(id)) = req.interrupt else {
                    return Err(invalid_plan("INTERRUPT_TYPE_OPERATION_ID without an operation id"));
                };
                interrupt_where(&session, |op| op.id == id)
            }
            InterruptType::Unspecified => return Err(invalid_plan("INTERRUPT_TYPE_UNSPECIFIED")),
        };
        Ok(Response::new(InterruptResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            interrupted_ids,
        }))
    }

    async fn reattach_execute(
        &self,
        request: Request<ReattachExecuteRequest>,
    ) -> Result<Response<BoxStream<ExecutePlanResponse>>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let op = session.operation(&req.operation_id).ok_or_else(|| {
            Status::not_found(format!(
                "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle {} is invalid. Operation not found.",
                req.operation_id
            ))
        })?;
        let start = op.position_after(req.last_response_id.as_deref())?;
        Ok(Response::new(Box::pin(op.stream_from(start, || {}))))
    }

    async fn release_execute(
        &self,
        request: Request<ReleaseExecuteRequest>,
    ) -> Result<Response<ReleaseExecuteResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        if let Some(op) = session.operation(&req.operation_id) {
            match req.release {
                Some(Release::ReleaseUntil(u)) => op.release_until(&u.response_id),
                Some(Release::ReleaseAll(_)) | None => {
                    // releasing everything ends the operation
                    op.interrupt();
                    op.release_all();
                    session.remove_operation(&op.id);
                }
            }
        }
        Ok(Response::new(ReleaseExecuteResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            operation_id: Some(req.operation_id),
        }))
    }

    async fn release_session(
        &self,
        request: Request<ReleaseSessionRequest>,
    ) -> Result<Response<ReleaseSessionResponse>, Status> {
        let req = request.into_inner();
        let released = self.sessions.release(&user_id(&req.user_context), &req.session_id);
        Ok(Response::new(ReleaseSessionResponse {
            session_id: req.session_id,
            server_side_session_id: released.map(|s| s.server_side_session_id.clone()).unwrap_or_default(),
        }))
    }

    async fn get_status(&self, request: Request<GetStatusRequest>) -> Result<Response<GetStatusResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        let mut operation_statuses = vec![];
        if let Some(wanted) = req.operation_status {
            let status = |id: String, state: get_status_response::operation_status::OperationState| {
                get_status_response::OperationStatus { operation_id: id, state: state as i32, extensions: vec![] }
            };
            if wanted.operation_ids.is_empty() {
                operation_statuses.extend(session.operations().iter().map(|op| status(op.id.clone(), op.state())));
            } else {
                for id in wanted.operation_ids {
                    let state = session
                        .operation(&id)
                        .map(|op| op.state())
                        .unwrap_or(get_status_response::operation_status::OperationState::Unknown);
                    operation_statuses.push(status(id, state));
                }
            }
        }
        Ok(Response::new(GetStatusResponse {
            session_id: session.session_id.clone(),
            server_side_session_id: session.server_side_session_id.clone(),
            operation_statuses,
            extensions: vec![],
        }))
    }

    async fn clone_session(
        &self,
        request: Request<CloneSessionRequest>,
    ) -> Result<Response<CloneSessionResponse>, Status> {
        let req = request.into_inner();
        let source = self.session(&req.user_context, &req.session_id)?;
        let clone = self.sessions.clone_session(&source, req.new_session_id)?;
        Ok(Response::new(CloneSessionResponse {
            session_id: source.session_id.clone(),
            server_side_session_id: source.server_side_session_id.clone(),
            new_session_id: clone.session_id.clone(),
            new_server_side_session_id: clone.server_side_session_id.clone(),
        }))
    }

    /// Ember sends everything about an error in the first status (no `errorId`),
    /// so there are never details to fetch.
    async fn fetch_error_details(
        &self,
        request: Request<FetchErrorDetailsRequest>,
    ) -> Result<Response<FetchErrorDetailsResponse>, Status> {
        let req = request.into_inner();
        let session = self.session(&req.user_context, &req.session_id)?;
        Ok(Response::new(FetchErrorDetailsResponse {
            server_side_session_id: session.server_side_session_id.clone(),
            session_id: session.session_id.clone(),
            root_error_idx: None,
            errors: vec![],
        }))
    }
}

fn interrupt_where(session: &ServerSession, pred: impl Fn(&Operation) -> bool) -> Vec<String> {
    let mut ids = vec![];
    for op in session.operations() {
        if pred(&op) && op.interrupt() {
            ids.push(op.id.clone());
        }
    }
    if !ids.is_empty() {
        // the engine cancels per session: the running query stops and frees its memory
        session.engine.cancel();
    }
    ids
}
