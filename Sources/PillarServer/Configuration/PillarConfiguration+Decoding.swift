import PillarCore
import PillarGateway

// Decoding that lets a YAML file give only the keys it changes (Swift's synthesised decoding would demand
// every key) and that refuses unknown keys, so that a typo is an error that names it rather than a setting
// silently ignored.

extension KeyedDecodingContainer {
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(in decoder: any Decoder, known: Keys.Type) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    let names = Set(Keys.allCases.map(\.stringValue))
    if let unknown = container.allKeys.first(where: { !names.contains($0.stringValue) }) {
        throw DecodingError.dataCorruptedError(
            forKey: unknown, in: container,
            debugDescription: "unknown key '\(unknown.stringValue)'; known keys: \(names.sorted().joined(separator: ", "))")
    }
}

extension PillarConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, oidc, signIn, deployments, localModel, timeouts, gateway, limits, prices, retrieval, flows, safety,
            evaluation,
            promotion, monitoring, assurance
        case azure
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.value(.server, or: server)
        oidc = try container.value(.oidc, or: oidc)
        signIn = try container.decodeIfPresent(SignIn.self, forKey: .signIn)
        deployments = try container.value(.deployments, or: deployments)
        localModel = try container.value(.localModel, or: localModel)
        timeouts = try container.value(.timeouts, or: timeouts)
        gateway = try container.value(.gateway, or: gateway)
        limits = try container.value(.limits, or: limits)
        prices = try container.value(.prices, or: prices)
        retrieval = try container.value(.retrieval, or: retrieval)
        flows = try container.value(.flows, or: flows)
        safety = try container.value(.safety, or: safety)
        evaluation = try container.value(.evaluation, or: evaluation)
        promotion = try container.value(.promotion, or: promotion)
        monitoring = try container.value(.monitoring, or: monitoring)
        assurance = try container.value(.assurance, or: assurance)
        azure = try container.value(.azure, or: azure)
    }
}

extension PillarConfiguration.Server {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, dataDirectory, maxBodyBytes, logFormat, logLevel, metricsPort, apiKeyCacheSeconds
        case drainSeconds
        case idleTimeoutSeconds, readTimeoutSeconds, maxConnectionsPerAddress, tlsTerminatedBy, tls
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.value(.host, or: host)
        port = try container.value(.port, or: port)
        dataDirectory = try container.value(.dataDirectory, or: dataDirectory)
        maxBodyBytes = try container.value(.maxBodyBytes, or: maxBodyBytes)
        logFormat = try container.value(.logFormat, or: logFormat)
        logLevel = try container.value(.logLevel, or: logLevel)
        metricsPort = try container.decodeIfPresent(Int.self, forKey: .metricsPort)
        apiKeyCacheSeconds = try container.value(.apiKeyCacheSeconds, or: apiKeyCacheSeconds)
        drainSeconds = try container.value(.drainSeconds, or: drainSeconds)
        idleTimeoutSeconds = try container.value(.idleTimeoutSeconds, or: idleTimeoutSeconds)
        readTimeoutSeconds = try container.value(.readTimeoutSeconds, or: readTimeoutSeconds)
        maxConnectionsPerAddress = try container.value(.maxConnectionsPerAddress, or: maxConnectionsPerAddress)
        tlsTerminatedBy = try container.decodeIfPresent(String.self, forKey: .tlsTerminatedBy)
        tls = try container.decodeIfPresent(PillarConfiguration.TLS.self, forKey: .tls)
    }
}

extension PillarConfiguration.TLS {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case certificateFile, keyFile, reloadSeconds, redirectPort, hstsSeconds
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            certificateFile: try container.decode(String.self, forKey: .certificateFile),
            keyFile: try container.decode(String.self, forKey: .keyFile))
        reloadSeconds = try container.value(.reloadSeconds, or: reloadSeconds)
        redirectPort = try container.decodeIfPresent(Int.self, forKey: .redirectPort)
        hstsSeconds = try container.value(.hstsSeconds, or: hstsSeconds)
    }
}

extension PillarConfiguration.SignIn {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case issuer, clientId, clientSecretEnv, clientSecretFile, redirectURL, scopes, sessionHours, idleMinutes
        case renewMinutes, postSignOutURL
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            issuer: try container.decode(String.self, forKey: .issuer),
            clientId: try container.decode(String.self, forKey: .clientId),
            redirectURL: try container.decode(String.self, forKey: .redirectURL))
        clientSecretEnv = try container.decodeIfPresent(String.self, forKey: .clientSecretEnv)
        clientSecretFile = try container.decodeIfPresent(String.self, forKey: .clientSecretFile)
        scopes = try container.value(.scopes, or: scopes)
        sessionHours = try container.value(.sessionHours, or: sessionHours)
        idleMinutes = try container.value(.idleMinutes, or: idleMinutes)
        renewMinutes = try container.value(.renewMinutes, or: renewMinutes)
        postSignOutURL = try container.decodeIfPresent(String.self, forKey: .postSignOutURL)
    }
}

extension PillarConfiguration.OIDC {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case issuer, audiences, jwksURL, tenantClaim, tenantMap, defaultTenant, subjectClaim, rolesClaim
        case groupsClaim, roleMap, defaultRole, leewaySeconds, jwksRefreshSeconds
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            issuer: try container.decode(String.self, forKey: .issuer),
            audiences: try container.decode([String].self, forKey: .audiences))
        jwksURL = try container.decodeIfPresent(String.self, forKey: .jwksURL)
        tenantClaim = try container.decodeIfPresent(String.self, forKey: .tenantClaim)
        tenantMap = try container.decodeIfPresent([String: String].self, forKey: .tenantMap)
        defaultTenant = try container.decodeIfPresent(String.self, forKey: .defaultTenant)
        subjectClaim = try container.value(.subjectClaim, or: subjectClaim)
        rolesClaim = try container.value(.rolesClaim, or: rolesClaim)
        groupsClaim = try container.value(.groupsClaim, or: groupsClaim)
        roleMap = try container.value(.roleMap, or: roleMap)
        if container.contains(.defaultRole) {
            defaultRole = try container.decodeIfPresent(String.self, forKey: .defaultRole)
        }
        leewaySeconds = try container.value(.leewaySeconds, or: leewaySeconds)
        jwksRefreshSeconds = try container.value(.jwksRefreshSeconds, or: jwksRefreshSeconds)
    }
}

extension PillarConfiguration.Deployment {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, api, baseURL, model, apiVersion, apiKeyEnv, apiKeyFile, models, priority, weight, maxInFlight, tokenizer
        case capabilities
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            baseURL: try container.decode(String.self, forKey: .baseURL),
            model: try container.decode(String.self, forKey: .model))
        api = try container.value(.api, or: api)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        apiKeyEnv = try container.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        apiKeyFile = try container.decodeIfPresent(String.self, forKey: .apiKeyFile)
        models = try container.decodeIfPresent([String].self, forKey: .models)
        priority = try container.value(.priority, or: priority)
        weight = try container.value(.weight, or: weight)
        maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight)
        tokenizer = try container.decodeIfPresent(String.self, forKey: .tokenizer)
        capabilities = try container.decodeIfPresent([ModelDeployment.Capability].self, forKey: .capabilities)
    }
}

extension PillarConfiguration.LocalModel {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, serverPath, modelPath, name, port, contextSize, threads, parallel, temperature, topP, maxReplyTokens
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.value(.mode, or: mode)
        serverPath = try container.decodeIfPresent(String.self, forKey: .serverPath)
        modelPath = try container.decodeIfPresent(String.self, forKey: .modelPath)
        name = try container.value(.name, or: name)
        port = try container.value(.port, or: port)
        contextSize = try container.value(.contextSize, or: contextSize)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        parallel = try container.value(.parallel, or: parallel)
        temperature = try container.value(.temperature, or: temperature)
        topP = try container.value(.topP, or: topP)
        maxReplyTokens = try container.value(.maxReplyTokens, or: maxReplyTokens)
    }
}

extension PillarConfiguration.Timeouts {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case connectSeconds, firstTokenSeconds, firstByteSeconds, idleSeconds, totalSeconds
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        connectSeconds = try container.value(.connectSeconds, or: connectSeconds)
        firstTokenSeconds = try container.value(.firstTokenSeconds, or: firstTokenSeconds)
        firstByteSeconds = try container.value(.firstByteSeconds, or: firstByteSeconds)
        idleSeconds = try container.value(.idleSeconds, or: idleSeconds)
        totalSeconds = try container.value(.totalSeconds, or: totalSeconds)
    }
}

extension PillarConfiguration.Gateway {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxAttempts, retryBaseDelayMs, retryMaxDelayMs, retryTotalSeconds, breakerFailureRate, breakerMinimumCalls
        case breakerWindowSeconds, breakerOpenSeconds, breakerHalfOpenProbes, maxInFlightPerTenant, queueTimeoutMs
        case connectionsPerHost, pools, tokenizerDirectory
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxAttempts = try container.value(.maxAttempts, or: maxAttempts)
        retryBaseDelayMs = try container.value(.retryBaseDelayMs, or: retryBaseDelayMs)
        retryMaxDelayMs = try container.value(.retryMaxDelayMs, or: retryMaxDelayMs)
        retryTotalSeconds = try container.value(.retryTotalSeconds, or: retryTotalSeconds)
        breakerFailureRate = try container.value(.breakerFailureRate, or: breakerFailureRate)
        breakerMinimumCalls = try container.value(.breakerMinimumCalls, or: breakerMinimumCalls)
        breakerWindowSeconds = try container.value(.breakerWindowSeconds, or: breakerWindowSeconds)
        breakerOpenSeconds = try container.value(.breakerOpenSeconds, or: breakerOpenSeconds)
        breakerHalfOpenProbes = try container.value(.breakerHalfOpenProbes, or: breakerHalfOpenProbes)
        maxInFlightPerTenant = try container.decodeIfPresent(Int.self, forKey: .maxInFlightPerTenant)
        queueTimeoutMs = try container.value(.queueTimeoutMs, or: queueTimeoutMs)
        connectionsPerHost = try container.value(.connectionsPerHost, or: connectionsPerHost)
        pools = try container.value(.pools, or: pools)
        tokenizerDirectory = try container.decodeIfPresent(String.self, forKey: .tokenizerDirectory)
    }
}

extension PillarConfiguration.Pool {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case continueInterruptedStreams
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        continueInterruptedStreams = try container.value(.continueInterruptedStreams, or: continueInterruptedStreams)
    }
}

extension PillarConfiguration.Limits {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tenantDefault, tenants, keys, defaultCompletionTokens
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantDefault = try container.decodeIfPresent(UsageLimits.self, forKey: .tenantDefault)
        tenants = try container.value(.tenants, or: tenants)
        keys = try container.value(.keys, or: keys)
        defaultCompletionTokens = try container.value(.defaultCompletionTokens, or: defaultCompletionTokens)
    }
}

extension PillarConfiguration.AzureRoutes {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case deployments
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        deployments = try container.value(.deployments, or: deployments)
    }
}
