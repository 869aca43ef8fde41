//! Graceful shutdown over real HTTP: a request in flight when the signal comes still gets its
//! answer, then the server stops accepting connections.

use std::time::Duration;

use checkout_server::config::Config;
use checkout_server::sandbox::faults::FaultPlan;
use checkout_server::start;

use crate::gateway_support::*;

#[tokio::test]
async fn shutdown_drains_the_request_in_flight_then_stops() {
    let mut config = Config::sandbox(0, missing_dist());
    // A slow upstream keeps one request in flight while the signal arrives.
    config.sandbox_faults = Some(FaultPlan::parse_str(r#"{"endpoint": "banks", "latencyMs": 600}"#).expect("plan"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = start(config, async {
        let _ = stopped.await;
    })
    .await
    .expect("server starts");
    let banks = url(&server, "/api/payments/banks/COL");
    let in_flight = tokio::spawn(async move { client().get(banks).send().await.map(|r| r.status().as_u16()) });

    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).expect("signal");
    assert_eq!(in_flight.await.expect("task").expect("answered, not cut"), 200);

    let ended = tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("the server stops");
    assert!(ended.expect("task").is_ok());
    assert!(
        client().get(url_for(server.addr, "/healthz")).send().await.is_err(),
        "no longer listening"
    );
}

fn url_for(addr: std::net::SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}
