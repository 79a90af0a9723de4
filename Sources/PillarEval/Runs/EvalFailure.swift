import PillarCore

/// What an error means for a run. An item's own failure (its question breaks a template, say) is a result
/// like any other; a failure of the models or the server is not the item's fault and leaves the item
/// unanswered, to be asked again on resume; a spent evaluation budget stops the run.
enum EvalFailure {
    case item(code: String, message: String)
    case refusal(code: String, message: String)
    case infrastructure(code: String, message: String)
    case budget(message: String)

    static let refusalCodes: Set<String> = [
        "guard_blocked", "content_blocked", "jailbreak_detected",
        "prompt_injection_detected", "pii_blocked",
    ]

    init(_ error: any Error) {
        guard let error = error as? PillarError else {
            self = .infrastructure(code: "internal_error", message: "\(error)")
            return
        }
        if error.code == "budget_exceeded" {
            self = .budget(message: error.message)
        } else if Self.refusalCodes.contains(error.code) {
            self = .refusal(code: error.code, message: error.message)
        } else {
            switch error.kind {
            case .rateLimited, .upstreamFailed, .unavailable, .timeout, .internalError:
                self = .infrastructure(code: error.code, message: error.message)
            case .invalidRequest, .authenticationRequired, .permissionDenied, .notFound, .methodNotAllowed, .conflict,
                .payloadTooLarge,
                .unsupportedMediaType:
                self = .item(code: error.code, message: error.message)
            }
        }
    }
}
