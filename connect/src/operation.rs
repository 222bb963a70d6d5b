//! Reattachable executions.
//!
//! An `Operation` keeps the responses of one ExecutePlan that the client has
//! not released yet, so that a client whose stream broke can `ReattachExecute`
//! after the last response it saw and get the rest. Responses are dropped when
//! the client releases them (`ReleaseExecute` until an id, or all), when the
//! operation is interrupted, or with its session. Every stream ends with
//! `ResultComplete` or an error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use crate::proto::spark::connect::get_status_response::operation_status::OperationState;
use crate::proto::spark::connect::ExecutePlanResponse;

pub type ResponseStream = ReceiverStream<Result<ExecutePlanResponse, Status>>;

pub struct Operation {
    pub id: String,
    pub tags: Vec<String>,
    /// Non-reattachable operations are forgotten once their stream ends.
    pub reattachable: bool,
    state: Mutex<ResponseBuffer>,
    /// Bumped on every change of `state`, to wake the streams that wait.
    version: watch::Sender<u64>,
}

#[derive(Default)]
struct ResponseBuffer {
    /// Absolute index of `responses[0]`; responses before it were released.
    base: usize,
    responses: VecDeque<ExecutePlanResponse>,
    done: bool,
    error: Option<Status>,
}

/// What a stream does next.
enum Next {
    Send(Box<Result<ExecutePlanResponse, Status>>, bool),
    Wait,
    End,
}

impl Operation {
    pub fn new(id: String, tags: Vec<String>, reattachable: bool) -> Arc<Operation> {
        Arc::new(Operation {
            id,
            tags,
            reattachable,
            state: Mutex::new(ResponseBuffer::default()),
            version: watch::Sender::new(0),
        })
    }

    fn update(&self, f: impl FnOnce(&mut ResponseBuffer)) {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.version.send_modify(|v| *v += 1);
    }

    pub fn push(&self, response: ExecutePlanResponse) {
        self.update(|s| {
            if !s.done {
                s.responses.push_back(response)
            }
        });
    }

    /// Ends the operation; an error is what every (re)attached stream gets last.
    pub fn finish(&self, error: Option<Status>) {
        self.update(|s| {
            if !s.done {
                s.done = true;
                s.error = error;
            }
        });
    }

    /// Where the operation stands, for GetStatus.
    pub fn state(&self) -> OperationState {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match (&s.done, &s.error) {
            (false, _) => OperationState::Running,
            (true, None) => OperationState::Succeeded,
            (true, Some(e)) if e.code() == tonic::Code::Cancelled => OperationState::Cancelled,
            (true, Some(_)) => OperationState::Failed,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).done
    }

    /// Stops the operation if it is still running; true if it was.
    pub fn interrupt(&self) -> bool {
        let mut running = false;
        self.update(|s| {
            if !s.done {
                running = true;
                s.done = true;
                s.error = Some(crate::errors::to_status(&ember_core::Error::Cancelled));
                s.base += s.responses.len();
                s.responses.clear();
            }
        });
        running
    }

    /// Drops the responses up to and including `response_id`.
    pub fn release_until(&self, response_id: &str) {
        self.update(|s| {
            if let Some(i) = s.responses.iter().position(|r| r.response_id == response_id) {
                s.responses.drain(..=i);
                s.base += i + 1;
            }
        });
    }

    pub fn release_all(&self) {
        self.update(|s| {
            s.base += s.responses.len();
            s.responses.clear();
        });
    }

    /// The absolute position after `last_response_id` (from the first kept
    /// response when None).
    pub fn position_after(&self, last_response_id: Option<&str>) -> Result<usize, Status> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match last_response_id {
            None => Ok(s.base),
            Some(id) => s.responses.iter().position(|r| r.response_id == id).map(|i| s.base + i + 1).ok_or_else(|| {
                Status::failed_precondition(format!(
                    "[INVALID_CURSOR.POSITION_NOT_AVAILABLE] The cursor is invalid. The cursor position id {id} is not available: it was released or never sent."
                ))
            }),
        }
    }

    /// Streams the responses from absolute position `start` as they come.
    /// `on_end` runs once the stream has delivered its last item.
    pub fn stream_from(self: Arc<Self>, start: usize, on_end: impl FnOnce() + Send + 'static) -> ResponseStream {
        let (tx, rx) = mpsc::channel(4);
        let mut changes = self.version.subscribe();
        tokio::spawn(async move {
            let mut pos = start;
            loop {
                changes.borrow_and_update();
                let next = {
                    let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    if pos < s.base && !s.done {
                        Next::Send(
                            Box::new(Err(Status::failed_precondition(
                                "[INVALID_CURSOR.POSITION_NOT_AVAILABLE] The cursor is invalid. The responses were released.",
                            ))),
                            true,
                        )
                    } else if pos >= s.base && pos - s.base < s.responses.len() {
                        Next::Send(Box::new(Ok(s.responses[pos - s.base].clone())), false)
                    } else if s.done {
                        match &s.error {
                            Some(e) => Next::Send(Box::new(Err(e.clone())), true),
                            None => Next::End,
                        }
                    } else {
                        Next::Wait
                    }
                };
                match next {
                    Next::Send(item, last) => {
                        if tx.send(*item).await.is_err() || last {
                            break;
                        }
                        pos += 1;
                    }
                    Next::Wait => {
                        if changes.changed().await.is_err() {
                            break;
                        }
                    }
                    Next::End => break,
                }
            }
            on_end();
        });
        ReceiverStream::new(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_stream::StreamExt;

    fn response(id: &str) -> ExecutePlanResponse {
        ExecutePlanResponse { response_id: id.to_string(), ..Default::default() }
    }

    async fn ids(stream: ResponseStream) -> Vec<Result<String, tonic::Code>> {
        stream.map(|r| r.map(|r| r.response_id).map_err(|e| e.code())).collect().await
    }

    #[tokio::test]
    async fn a_stream_waits_for_responses_and_ends_when_done() {
        let op = Operation::new("op".into(), vec![], true);
        let stream = op.clone().stream_from(0, || {});
        let producer = op.clone();
        tokio::spawn(async move {
            producer.push(response("a"));
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            producer.push(response("b"));
            producer.finish(None);
        });
        assert_eq!(ids(stream).await, vec![Ok("a".into()), Ok("b".into())]);
    }

    #[tokio::test]
    async fn reattach_replays_after_the_last_seen_response() {
        let op = Operation::new("op".into(), vec![], true);
        for id in ["a", "b", "c"] {
            op.push(response(id));
        }
        op.finish(None);
        let start = op.position_after(Some("a")).unwrap();
        assert_eq!(ids(op.clone().stream_from(start, || {})).await, vec![Ok("b".into()), Ok("c".into())]);
        op.release_until("b");
        assert!(op.position_after(Some("a")).is_err());
        let start = op.position_after(None).unwrap();
        assert_eq!(ids(op.clone().stream_from(start, || {})).await, vec![Ok("c".into())]);
    }

    #[tokio::test]
    async fn errors_and_interrupts_end_the_stream() {
        let op = Operation::new("op".into(), vec![], true);
        op.push(response("a"));
        op.finish(Some(Status::internal("boom")));
        assert_eq!(ids(op.clone().stream_from(0, || {})).await, vec![Ok("a".into()), Err(tonic::Code::Internal)]);

        let running = Operation::new("op2".into(), vec![], true);
        let stream = running.clone().stream_from(0, || {});
        assert_eq!(running.state(), OperationState::Running);
        assert!(running.interrupt());
        assert!(!running.interrupt());
        assert_eq!(running.state(), OperationState::Cancelled);
        assert_eq!(ids(stream).await, vec![Err(tonic::Code::Cancelled)]);
    }
}
