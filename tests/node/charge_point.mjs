// A charge point written with the ocpp-rpc npm package in strict mode: every frame it sends and
// every frame it receives is checked against the official OCPP JSON schemas (ocpp1.6 or ocpp2.0.1).
//
// Usage:
//   node charge_point.mjs --endpoint ws://HOST:PORT/ocpp --station CP-1 --protocol ocpp1.6 --id-token TAG
// Each option falls back to an environment variable: CB_OCPP_URL, CB_STATION_ID, CB_OCPP_PROTOCOL, CB_ID_TOKEN.
//
// Flow: connect, BootNotification, StatusNotification, Authorize, start a transaction with meter values,
// send malformed raw frames and check the socket still answers, then write "READY" to stderr and wait for
// one line on stdin (the driver sends server-initiated calls meanwhile), then end the transaction and print
// one JSON line of results to stdout. Exit 0 on success, 1 with {"ok": false, "error": ...} otherwise.

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import rpc from 'ocpp-rpc';

const { RPCClient, createRPCError } = rpc;

const METER_START_WH = 1000;
const METER_STOP_WH = 4200;
const METER_SAMPLES_WH = [2000, 3500];
const WAIT_FOR_DRIVER_MS = Number(process.env.CB_WAIT_MS ?? 15000);

function options() {
    const { values } = parseArgs({
        options: {
            endpoint: { type: 'string', default: process.env.CB_OCPP_URL },
            station: { type: 'string', default: process.env.CB_STATION_ID },
            protocol: { type: 'string', default: process.env.CB_OCPP_PROTOCOL ?? 'ocpp1.6' },
            'id-token': { type: 'string', default: process.env.CB_ID_TOKEN },
        },
    });
    for (const name of ['endpoint', 'station', 'protocol', 'id-token']) {
        if (!values[name]) throw new Error(`missing --${name}`);
    }
    if (!['ocpp1.6', 'ocpp2.0.1'].includes(values.protocol)) {
        throw new Error(`unsupported protocol ${values.protocol}`);
    }
    return values;
}

const log = (...args) => console.error('#', ...args);

function at(base, offsetS) {
    return new Date(base + offsetS * 1000).toISOString();
}

// Resolves when the driver writes a line (or closes stdin), or after a timeout.
function waitForDriver(ms) {
    return new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin });
        const done = (why) => {
            resolve(why); // first caller wins: rl.close() below re-enters with 'eof'
            clearTimeout(timer);
            rl.close();
        };
        const timer = setTimeout(() => done('timeout'), ms);
        rl.once('line', () => done('line'));
        rl.once('close', () => done('eof'));
    });
}

function makeClient(opts, report) {
    const client = new RPCClient({
        endpoint: opts.endpoint,
        identity: opts.station,
        protocols: [opts.protocol],
        strictMode: true,
        reconnect: false,
        callTimeoutMs: 8000,
        respondWithDetailedErrors: true,
    });
    client.on('strictValidationFailure', (event) => {
        report.strictFailures.push({
            method: event.method,
            outbound: event.outbound,
            isCall: event.isCall,
            params: event.params,
            result: event.result,
            error: event.error?.message,
        });
    });
    client.on('call', ({ outbound, payload }) => {
        if (!outbound) report.serverCalls.push({ action: payload[2], payload: payload[3] });
    });
    client.on('badMessage', ({ buffer, error }) => {
        report.badMessages.push({ frame: String(buffer).slice(0, 300), error: error?.message });
    });
    const accept = (method) => ({ params }) => {
        log(`server call ${method}`, JSON.stringify(params));
        return { status: 'Accepted' };
    };
    if (opts.protocol === 'ocpp1.6') {
        client.handle('RemoteStartTransaction', accept('RemoteStartTransaction'));
    } else {
        client.handle('RequestStartTransaction', accept('RequestStartTransaction'));
    }
    client.handle('Reset', accept('Reset'));
    client.handle(({ method }) => {
        throw createRPCError('NotImplemented', `${method} is not implemented by this test client`);
    });
    return client;
}

async function call(client, report, method, params) {
    const result = await client.call(method, params);
    report.responses.push({ action: method, payload: result });
    return result;
}

// Frames a broken charge point might send; the server must answer them without dropping the socket.
async function sendMalformed(client, report, heartbeat) {
    const frames = ['this is not json', '[2, "malformed-1", "Heartbeat", {"surprise": true}]'];
    const answers = [];
    const listener = ({ message, outbound }) => {
        if (!outbound) answers.push(message);
    };
    client.on('message', listener);
    try {
        for (const frame of frames) {
            const before = answers.length;
            client.sendRaw(frame);
            // the next call's answer can only come after the answer to the raw frame
            await heartbeat();
            const answer = answers[before];
            report.malformed.push({ sent: frame, answer: answer === undefined ? null : JSON.parse(answer) });
        }
    } finally {
        client.off('message', listener);
    }
}

async function run16(client, opts, report, base) {
    const tag = opts['id-token'];
    const boot = await call(client, report, 'BootNotification', {
        chargePointVendor: 'NodeVendor',
        chargePointModel: 'ocpp-rpc',
        firmwareVersion: '2.2.1',
    });
    report.bootStatus = boot.status;
    await call(client, report, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const auth = await call(client, report, 'Authorize', { idTag: tag });
    report.authorizeStatus = auth.idTagInfo.status;
    await call(client, report, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const start = await call(client, report, 'StartTransaction', {
        connectorId: 1,
        idTag: tag,
        meterStart: METER_START_WH,
        timestamp: at(base, 0),
    });
    report.startStatus = start.idTagInfo.status;
    report.transactionId = start.transactionId;
    await call(client, report, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    for (const [i, wh] of METER_SAMPLES_WH.entries()) {
        await call(client, report, 'MeterValues', {
            connectorId: 1,
            transactionId: start.transactionId,
            meterValue: [
                {
                    timestamp: at(base, 60 * (i + 1)),
                    sampledValue: [
                        {
                            value: String(wh),
                            context: 'Sample.Periodic',
                            measurand: 'Energy.Active.Import.Register',
                            unit: 'Wh',
                        },
                        { value: '7.2', context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'kW' },
                    ],
                },
            ],
        });
    }
    await sendMalformed(client, report, () => call(client, report, 'Heartbeat', {}));
    return async () => {
        const stop = await call(client, report, 'StopTransaction', {
            transactionId: start.transactionId,
            idTag: tag,
            meterStop: METER_STOP_WH,
            timestamp: at(base, 300),
            reason: 'EVDisconnected',
            transactionData: [
                {
                    timestamp: at(base, 0),
                    sampledValue: [
                        {
                            value: String(METER_START_WH),
                            context: 'Transaction.Begin',
                            measurand: 'Energy.Active.Import.Register',
                            unit: 'Wh',
                        },
                    ],
                },
                {
                    timestamp: at(base, 300),
                    sampledValue: [
                        {
                            value: String(METER_STOP_WH),
                            context: 'Transaction.End',
                            measurand: 'Energy.Active.Import.Register',
                            unit: 'Wh',
                        },
                    ],
                },
            ],
        });
        report.stopStatus = stop.idTagInfo?.status ?? null;
        await call(client, report, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    };
}

async function run201(client, opts, report, base) {
    const idToken = { idToken: opts['id-token'], type: 'ISO14443' };
    const transactionId = `TX-${opts.station}`.slice(0, 36);
    const energy = (wh, context, offsetS) => [
        {
            timestamp: at(base, offsetS),
            sampledValue: [
                {
                    value: wh / 1000,
                    context,
                    measurand: 'Energy.Active.Import.Register',
                    unitOfMeasure: { unit: 'kWh' },
                },
            ],
        },
    ];
    const boot = await call(client, report, 'BootNotification', {
        chargingStation: { model: 'ocpp-rpc', vendorName: 'NodeVendor', firmwareVersion: '2.2.1' },
        reason: 'PowerUp',
    });
    report.bootStatus = boot.status;
    await call(client, report, 'StatusNotification', {
        timestamp: at(base, 0),
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 1,
    });
    const auth = await call(client, report, 'Authorize', { idToken });
    report.authorizeStatus = auth.idTokenInfo.status;
    const started = await call(client, report, 'TransactionEvent', {
        eventType: 'Started',
        timestamp: at(base, 0),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        evse: { id: 1, connectorId: 1 },
        idToken,
        meterValue: energy(METER_START_WH, 'Transaction.Begin', 0),
    });
    report.startStatus = started.idTokenInfo?.status ?? null;
    report.transactionId = transactionId;
    await call(client, report, 'StatusNotification', {
        timestamp: at(base, 1),
        connectorStatus: 'Occupied',
        evseId: 1,
        connectorId: 1,
    });
    for (const [i, wh] of METER_SAMPLES_WH.entries()) {
        await call(client, report, 'TransactionEvent', {
            eventType: 'Updated',
            timestamp: at(base, 60 * (i + 1)),
            triggerReason: 'MeterValuePeriodic',
            seqNo: i + 1,
            transactionInfo: { transactionId, chargingState: 'Charging' },
            meterValue: energy(wh, 'Sample.Periodic', 60 * (i + 1)),
        });
    }
    await sendMalformed(client, report, () => call(client, report, 'Heartbeat', {}));
    return async () => {
        const ended = await call(client, report, 'TransactionEvent', {
            eventType: 'Ended',
            timestamp: at(base, 300),
            triggerReason: 'EVCommunicationLost',
            seqNo: METER_SAMPLES_WH.length + 1,
            transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
            meterValue: energy(METER_STOP_WH, 'Transaction.End', 300),
        });
        report.stopStatus = ended.idTokenInfo?.status ?? null;
        await call(client, report, 'StatusNotification', {
            timestamp: at(base, 301),
            connectorStatus: 'Available',
            evseId: 1,
            connectorId: 1,
        });
    };
}

async function main() {
    const opts = options();
    const report = {
        ok: false,
        protocol: null,
        stationId: opts.station,
        transactionId: null,
        meterStartWh: METER_START_WH,
        meterStopWh: METER_STOP_WH,
        bootStatus: null,
        authorizeStatus: null,
        startStatus: null,
        stopStatus: null,
        serverCalls: [],
        malformed: [],
        badMessages: [],
        strictFailures: [],
        responses: [],
        waited: null,
    };
    const client = makeClient(opts, report);
    try {
        await client.connect();
        report.protocol = client.protocol;
        log(`connected as ${opts.station} with ${client.protocol}`);
        const base = Date.now() - 600_000;
        const finish = await (opts.protocol === 'ocpp1.6' ? run16 : run201)(client, opts, report, base);
        console.error('READY');
        report.waited = await waitForDriver(WAIT_FOR_DRIVER_MS);
        await finish();
        await call(client, report, 'Heartbeat', {});
        if (report.strictFailures.length) {
            throw new Error(`strict schema validation failed: ${JSON.stringify(report.strictFailures)}`);
        }
        report.ok = true;
    } catch (err) {
        report.error = `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
        if (err?.details && Object.keys(err.details).length) report.errorDetails = err.details;
    } finally {
        await client.close({ code: 1000, reason: 'done' }).catch(() => {});
    }
    console.log(JSON.stringify(report));
    if (!report.ok) {
        console.error(report.error);
        process.exitCode = 1;
    }
}

main().catch((err) => {
    console.log(JSON.stringify({ ok: false, error: String(err?.message ?? err) }));
    process.exitCode = 2;
});
