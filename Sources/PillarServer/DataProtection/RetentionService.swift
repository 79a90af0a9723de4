import Crypto
import Foundation
import Logging
import PillarCore
import PillarStore
import ServiceLifecycle

/// Purges, on a schedule, the conversation turns, traces and feedback each tenant's retention period has run
/// out on, and records every purge that removed something in the audit log.
struct RetentionService: Service {
    let safety: PillarConfiguration.Safety
    let tenants: any TenantRepository
    let store: any DataProtectionRepository
    let audit: any AuditLog
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeOnce(now: Date().timeIntervalSince1970)
                try? await Task.sleep(for: .milliseconds(Int64(safety.retentionCheckSeconds * 1000)))
            }
        }
    }

    func purgeOnce(now: Double) async {
        do {
            for tenant in try await tenants.listTenants() {
                guard let days = safety.policy(for: tenant.id).retentionDays else { continue }
                let counts = try await store.purge(tenant: tenant.id, before: now - days * 86_400)
                guard counts.total > 0 else { continue }
                try await audit.append(
                    tenant: tenant.id, actor: "pillar", action: "retention.purge", target: tenant.id,
                    details: counts.auditDetails.merging(["retention_days": String(days)]) { $1 })
                logger.info(
                    "retention purge",
                    metadata: [
                        "tenant": "\(tenant.id)", "messages": "\(counts.messages)",
                        "traces": "\(counts.traces)", "feedback": "\(counts.feedback)",
                    ])
            }
        } catch {
            logger.error("retention purge failed", metadata: ["error": "\(error)"])
        }
    }
}

extension RemovalCounts {
    var auditDetails: [String: String] {
        [
            "conversations": String(conversations), "messages": String(messages), "traces": String(traces),
            "feedback": String(feedback), "turns_anonymised": String(turnsAnonymised), "sessions": String(sessions),
        ]
    }
}

/// How a subject is named in the audit log of its own erasure: by a keyed hash (HMAC-SHA256 under a key derived
/// per tenant from the master key), so the record proves the erasure without keeping the identifier, and a
/// dictionary of likely identifiers cannot reverse it.
enum SubjectFingerprint {
    static func of(_ subject: String, tenant: String, cipher: FieldCipher) -> String {
        let key = cipher.derivedKey(purpose: "subject-fingerprint", tenant: tenant)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(subject.utf8), using: key)
        return "hmac:" + mac.prefix(8).hexString
    }
}
