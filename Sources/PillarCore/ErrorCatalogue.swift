/// Every machine-readable error code the server answers with: the `code` of a `PillarError` (the `code` of the
/// JSON error object, and the `errorCode` stored on turns, flow traces and evaluation results), with the kinds
/// it is raised with and what it means for an API user.
///
/// This is the one list: `docs/api.md` and the OpenAPI document are checked against it, so a code that is
/// raised must be here and a code that is documented must be here. Codes are sorted; a code has more than one
/// kind only where the server raises it with different kinds (the first is the usual one). A stream that has
/// begun answers with HTTP 200 and carries the code in its `error` event instead of the status.
public enum ErrorCatalogue {
    public struct Entry: Sendable, Hashable {
        public let code: String
        /// The kinds the code is raised with; more than one only where the server is inconsistent.
        public let kinds: [PillarError.Kind]
        /// The HTTP statuses it is answered with: each kind's status, unless the edge sets one of its own
        /// (`request_timeout`'s 408).
        public let statuses: [Int]
        /// One sentence for an API user: what happened and what to do.
        public let meaning: String

        init(_ code: String, _ kinds: [PillarError.Kind], status: Int? = nil, _ meaning: String) {
            self.code = code
            self.kinds = kinds
            self.statuses = status.map { [$0] } ?? kinds.map(\.httpStatus)
            self.meaning = meaning
        }
    }

    /// Every code, sorted by code.
    public static let entries: [Entry] = [
        Entry(
            "analysis_running", [.conflict],
            "A canary analysis is already running on this label; wait for it to end or abort it first."),
        Entry(
            "budget_exceeded", [.rateLimited],
            "The token or dollar budget for the day or month does not cover this request; retry after Retry-After."),
        Entry(
            "cannot_revoke_own_key", [.conflict],
            "An API key asked to revoke itself; revoke it with another admin key or `pillar keys revoke`."),
        Entry(
            "content_blocked", [.invalidRequest],
            "The content filter blocked the request or the answer; rephrase the request rather than retry it."),
        Entry(
            "content_filter", [.invalidRequest],
            "Azure routes: the guards blocked the prompt (results in innererror); rephrase the prompt rather than retry."),
        Entry(
            "csrf_token_invalid", [.permissionDenied],
            "A request that changes something with the session cookie lacked the session's X-CSRF-Token (from GET /auth/session); send it."
        ),
        Entry(
            "deployments_busy", [.unavailable],
            "Every deployment of the model is at capacity; retry after Retry-After."),
        Entry(
            "deployments_unavailable", [.unavailable],
            "Every deployment of the model is failing and cut off by its circuit breaker; retry after Retry-After."),
        Entry(
            "document_busy", [.rateLimited],
            "The document is being changed by another request; retry shortly."),
        Entry(
            "embedding_dimensions_mismatch", [.internalError],
            "The embedding model's vector length differs from the index's; an operator must re-index the documents."),
        Entry(
            "empty_body", [.invalidRequest],
            "The request body is empty; send the JSON body this route expects."),
        Entry(
            "empty_document", [.invalidRequest],
            "The document holds no text to index; upload a document with text in it."),
        Entry(
            "evaluation_required", [.permissionDenied],
            "This tenant promotes only evaluated versions and no passing gate covers this one; run a gate, then promote."),
        Entry(
            "flow_without_answer", [.internalError],
            "The flow ended without an `answer` output; fix the flow definition."),
        Entry(
            "guard_blocked", [.invalidRequest],
            "A guard node of the flow blocked the request; rephrase it rather than retry it."),
        Entry(
            "identity_provider_unavailable", [.unavailable],
            "The identity provider could not be reached to sign in or renew the session; retry after Retry-After."),
        Entry(
            "internal_error", [.internalError],
            "The server failed to handle the request; retry, and report it if it persists."),
        Entry(
            "invalid_api_key", [.authenticationRequired],
            "The API key is not valid or has been revoked; send a valid key."),
        Entry(
            "invalid_authorization", [.authenticationRequired],
            "The Authorization header is not of the form 'Bearer <token>'; fix the header."),
        Entry(
            "invalid_checks", [.invalidRequest],
            "The canary analysis's checks are not valid (count, signal, tolerance or threshold); fix them and resend."),
        Entry(
            "invalid_cursor", [.invalidRequest],
            "The paging cursor `after` names no item of this list; use an id from a previous page."),
        Entry(
            "invalid_dataset", [.invalidRequest],
            "The evaluation dataset file is not valid; fix the problems the message lists and upload it again."),
        Entry(
            "invalid_dataset_name", [.invalidRequest],
            "The dataset name is not 1-64 of a-z, 0-9, '.', '_' and '-' starting with a letter or digit; choose another."),
        Entry(
            "invalid_document_encoding", [.invalidRequest],
            "The document is not valid UTF-8 text; re-encode it as UTF-8 and upload it again."),
        Entry(
            "invalid_embedding", [.upstreamFailed],
            "The embedding model returned a zero or non-finite vector; retry, or check the embedding deployment."),
        Entry(
            "invalid_failure_limit", [.invalidRequest],
            "The canary analysis's failureLimit is not 1-100; fix it and resend."),
        Entry(
            "invalid_field", [.invalidRequest],
            "A field of the JSON body is missing or of the wrong type (see `param`); fix it and resend."),
        Entry(
            "invalid_flow", [.invalidRequest],
            "The flow definition is not valid; fix the problems the message lists and save it again."),
        Entry(
            "invalid_format", [.invalidRequest],
            "The `format` asked for is not one this export or report offers; use one the message names."),
        Entry(
            "invalid_interval", [.invalidRequest],
            "The canary analysis's intervalSeconds is not 1-86400; fix it and resend."),
        Entry(
            "invalid_json", [.invalidRequest],
            "The request body is not valid JSON; fix the syntax and resend."),
        Entry(
            "invalid_minimum_samples", [.invalidRequest],
            "The canary analysis's minimumSamples is not 1-100000; fix it and resend."),
        Entry(
            "invalid_multipart", [.invalidRequest],
            "The multipart/form-data body cannot be read; fix its boundary and parts and resend."),
        Entry(
            "invalid_path", [.invalidRequest],
            "The path holds a control character or percent-encoding that is not UTF-8; fix the URL."),
        Entry(
            "invalid_prompt", [.invalidRequest],
            "The prompt definition is not valid; fix the problems the message lists and save it again."),
        Entry(
            "invalid_request", [.invalidRequest],
            "A parameter of the request is not valid (see `param` and the message); fix it and resend."),
        Entry(
            "invalid_requirement", [.invalidRequest],
            "The gate requirement cannot be read; write clauses such as `groundedness>=4.0; p<0.05`."),
        Entry(
            "invalid_scorers", [.invalidRequest],
            "The custom scorers are not valid; fix the problems the message lists and resend."),
        Entry(
            "invalid_steps", [.invalidRequest],
            "The canary analysis's steps are not 1-20 rising weights of 1-99; fix them and resend."),
        Entry(
            "invalid_token", [.authenticationRequired],
            "The bearer token was refused (issuer, signature, key, algorithm or claims; see `param`); get a new token."),
        Entry(
            "jailbreak_detected", [.invalidRequest],
            "The request was blocked as an attempt to override the assistant's instructions; rephrase it."),
        Entry(
            "label_already_split", [.conflict],
            "The label splits traffic between versions; point it at one version before starting a canary analysis."),
        Entry(
            "label_is_split", [.invalidRequest],
            "The flow label splits traffic between versions and a run evaluates one; name a version (flow@N)."),
        Entry(
            "malformed_request", [.invalidRequest],
            "The request is not valid HTTP (its method, path or headers); fix the client. The connection is closed."),
        Entry(
            "method_not_allowed", [.methodNotAllowed],
            "This HTTP method is not allowed on this path; use the method the API documents."),
        Entry(
            "missing_api_version", [.invalidRequest],
            "Azure deployment routes need the `api-version` query parameter; add one, such as 2024-10-21."),
        Entry(
            "missing_credentials", [.authenticationRequired],
            "No API key or bearer token was sent; send an Authorization or api-key header."),
        Entry(
            "model_not_found", [.notFound, .invalidRequest],
            "No deployment serves the model asked for (by the request, or by a flow node: 400); use one GET /v1/models lists."),
        Entry(
            "monitoring_disabled", [.conflict],
            "Canary analysis needs monitoring, which is turned off on this server; an operator must enable it."),
        Entry(
            "no_baseline", [.invalidRequest],
            "No baseline run was given or marked for this dataset and flow; give one or mark a completed run."),
        Entry(
            "no_production_items", [.invalidRequest],
            "No consented production answers or feedback match the selection; widen it or wait for more traffic."),
        Entry(
            "not_found", [.notFound],
            "The resource (or route) named does not exist in this tenant; check the id, name or path."),
        Entry(
            "nothing_to_roll_back", [.invalidRequest],
            "The label has no earlier assignment to return to; set the version you want instead."),
        Entry(
            "payload_too_large", [.payloadTooLarge],
            "The request body is larger than the server accepts; send a smaller one."),
        Entry(
            "pdf_extraction_failed", [.invalidRequest],
            "The PDF's text could not be extracted; check the file, or upload its text instead."),
        Entry(
            "pdf_tool_missing", [.unavailable],
            "This server cannot read PDFs (pdftotext is not installed); upload text, or ask an operator to install it."),
        Entry(
            "permission_denied", [.permissionDenied],
            "The caller's role or tenant may not do this; use a key or token with the needed role."),
        Entry(
            "pii_blocked", [.invalidRequest],
            "The request holds personal data that this tenant's policy keeps from models; remove it and resend."),
        Entry(
            "probe_disabled", [.conflict],
            "The isolation probe is turned off on this server; an operator must enable it first."),
        Entry(
            "prompt_injection_detected", [.invalidRequest],
            "A retrieved document holds instructions aimed at the model and the tenant's policy blocks the answer."),
        Entry(
            "prompt_render_failed", [.invalidRequest],
            "The prompt could not be rendered with the values given; check the variables it needs."),
        Entry(
            "rate_limit_exceeded", [.rateLimited],
            "The requests- or tokens-per-minute limit is reached; retry after Retry-After."),
        Entry(
            "request_headers_too_large", [.invalidRequest],
            "The request line and headers are larger than the server accepts; send fewer or smaller headers."),
        Entry(
            "request_timeout", [.invalidRequest], status: 408,
            "The request body did not arrive within the read timeout; send it faster. The connection is closed."),
        Entry(
            "request_too_large", [.invalidRequest],
            "The request's estimated tokens or cost exceed a whole limit or budget; lower max_tokens or shorten it."),
        Entry(
            "run_complete", [.invalidRequest],
            "The evaluation run is complete, so there is nothing to resume."),
        Entry(
            "run_in_progress", [.invalidRequest],
            "The evaluation run is already going; wait for it to end or cancel it."),
        Entry(
            "run_not_completed", [.invalidRequest],
            "Only a completed evaluation run can be a baseline; wait for it to complete or pick another."),
        Entry(
            "run_not_running", [.invalidRequest],
            "The evaluation run is not going, so it cannot be cancelled."),
        Entry(
            "samples_unavailable", [.notFound],
            "This server has no sample documents to load (Pillar's documentation, which make setup copies); set retrieval.samplesDirectory."
        ),
        Entry(
            "service_unavailable", [.unavailable],
            "A service Pillar needs (model deployment, identity issuer, content classifier) is unavailable; retry later."),
        Entry(
            "session_expired", [.authenticationRequired],
            "The browser session ended (expired, idle, signed out, or refused by the identity provider); sign in again."),
        Entry(
            "sign_in_failed", [.invalidRequest],
            "The sign-in could not be completed (another browser's answer, expired, or refused by the provider); start it again."),
        Entry(
            "sign_in_not_configured", [.notFound],
            "Signing in through the browser is not configured on this server (signIn); use an API key."),
        Entry(
            "template_render_failed", [.invalidRequest],
            "A flow's template node could not render its template with the values given; check the flow's inputs."),
        Entry(
            "template_too_deep", [.invalidRequest],
            "A template nests sections more deeply than the server allows; flatten it."),
        Entry(
            "template_too_large", [.invalidRequest],
            "A template is larger than the server allows (256 KiB); shorten it."),
        Entry(
            "tenant_concurrency_limit", [.rateLimited],
            "The tenant has as many requests in flight as it may; retry after Retry-After."),
        Entry(
            "too_many_connections", [.unavailable],
            "This client address has as many connections open as it may; close one and retry. The connection is closed."),
        Entry(
            "tool_call_failed", [.invalidRequest, .upstreamFailed],
            "A flow's HTTP node built a URL that is not valid (400) or could not call its host (502); check the flow."),
        Entry(
            "unknown_metric", [.invalidRequest],
            "A metric named in the request or gate requirement does not exist; use one the message lists."),
        Entry(
            "unreadable_document", [.invalidRequest],
            "The document could not be read as its format (malformed, or not a supported kind); fix it or give `format`."),
        Entry(
            "unsupported_api_version", [.invalidRequest],
            "The `api-version` given is not one this route accepts; use one the message lists."),
        Entry(
            "unsupported_format", [.invalidRequest],
            "The document's format is not supported or cannot be told from its name or type; give a `format` listed."),
        Entry(
            "unsupported_media_type", [.unsupportedMediaType],
            "The body's Content-Type is not application/json; send JSON with that Content-Type."),
        Entry(
            "unsupported_operation", [.invalidRequest],
            "The model does not offer this operation (such as chat on an embedding model); use a model that does."),
        Entry(
            "unsupported_parameter", [.invalidRequest],
            "A parameter this route does not support was given (such as `dimensions`); leave it out."),
        Entry(
            "upstream_error", [.upstreamFailed],
            "A model deployment or service Pillar calls answered with an error; retry later."),
        Entry(
            "upstream_malformed", [.upstreamFailed],
            "The model deployment sent a malformed response; retry later."),
        Entry(
            "upstream_rate_limited", [.rateLimited],
            "The model deployment is rate limited; retry after Retry-After."),
        Entry(
            "upstream_rejected", [.invalidRequest],
            "The model deployment rejected the request as invalid (its message is quoted); fix the request."),
        Entry(
            "upstream_stream_error", [.upstreamFailed],
            "The model deployment reported an error in mid-stream; the answer is incomplete, so retry."),
        Entry(
            "upstream_timeout", [.timeout],
            "The model deployment did not answer in time; retry later, or ask for a shorter answer."),
        Entry(
            "upstream_truncated", [.upstreamFailed],
            "The model deployment ended its stream before finishing; the answer is incomplete, so retry."),
    ]

    private static let byCode: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.code, $0) })

    /// The entry for `code`, or nil when the server never answers with it.
    public static func entry(_ code: String) -> Entry? {
        byCode[code]
    }
}
