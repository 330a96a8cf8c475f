-- A ledger written by omi-import at 160ddca (schema 2), dumped with sqlite3's iterdump; {ROOT} stands
-- for the folder the files were in. Made against tests/fake_omi.py (that commit's) with tests/fake_adapters.py:
-- call.talk = talk_file(6, tag='call'), gone.talk = talk_file(4, tag='gone'), kept.talk = talk_file(4, tag='kept')
-- imported; gone.talk deleted (omi-import delete); call.talk imported again with --me Alice --replace (its
-- first version deleted). tests/test_ledger_migration.py rebuilds those files.
BEGIN TRANSACTION;
CREATE TABLE conversations (
    key TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    input_path TEXT NOT NULL,
    idx INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN (
        'pending', 'sending', 'done', 'failed', 'uncertain', 'deleting', 'deleted')),
    conversation_id TEXT,
    server_status TEXT,
    discarded INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    body TEXT,
    run_id INTEGER REFERENCES runs (id),
    replaced_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    done_at TEXT,
    deleted_at TEXT
);
INSERT INTO "conversations" VALUES('omi-import-3140d1bb7cb008c466c8073e13284ba5eb1d03e0-000','3140d1bb7cb008c466c8073e13284ba5eb1d03e0','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','{ROOT}/call.talk',0,'/v1/dev/user/conversations/from-segments','deleted','9dda158418b9491a8fc7412d5737b858','completed',0,1,NULL,NULL,1,'b04b942ee4021548e129e8ab803ad28aa993e48c','2026-12-06T13:40:58.687+00:00','2026-12-06T13:40:58.909+00:00','2026-12-06T13:40:58.744+00:00','2026-12-06T13:40:58.749+00:00','2026-12-06T13:40:58.909+00:00');
INSERT INTO "conversations" VALUES('omi-import-94c14aca0544f4dc47740e534646cfdf4f7eeea8-000','94c14aca0544f4dc47740e534646cfdf4f7eeea8','8d4e2b653bb4d3452bb41d1377c14cbc63ebc21967f4f6fa245cb6e4efc262e0','{ROOT}/gone.talk',0,'/v1/dev/user/conversations/from-segments','deleted','1448f5f5c18f4fcb919d8716d246dcce','completed',0,1,NULL,NULL,1,NULL,'2026-12-06T13:40:58.697+00:00','2026-12-06T13:40:58.836+00:00','2026-12-06T13:40:58.751+00:00','2026-12-06T13:40:58.760+00:00','2026-12-06T13:40:58.836+00:00');
INSERT INTO "conversations" VALUES('omi-import-606d85627de5a8ca9931d07637f21e8dbc3ee184-000','606d85627de5a8ca9931d07637f21e8dbc3ee184','e08497154a4defc4b7582175520fd0c9175ddaf85a9c752c32a874d20391d46d','{ROOT}/kept.talk',0,'/v1/dev/user/conversations/from-segments','done','62c6f207a9b14b1e8612b218f832fed6','completed',0,1,NULL,NULL,1,NULL,'2026-12-06T13:40:58.703+00:00','2026-12-06T13:40:58.759+00:00','2026-12-06T13:40:58.751+00:00','2026-12-06T13:40:58.759+00:00',NULL);
INSERT INTO "conversations" VALUES('omi-import-b04b942ee4021548e129e8ab803ad28aa993e48c-000','b04b942ee4021548e129e8ab803ad28aa993e48c','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','{ROOT}/call.talk',0,'/v1/dev/user/conversations/from-segments','done','55eb5814deb8418ea9167a6340881c99','completed',0,1,NULL,NULL,3,NULL,'2026-12-06T13:40:58.859+00:00','2026-12-06T13:40:58.901+00:00','2026-12-06T13:40:58.897+00:00','2026-12-06T13:40:58.901+00:00',NULL);
CREATE TABLE files (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);
INSERT INTO "files" VALUES('{ROOT}/call.talk','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','2026-12-06T13:40:58.687+00:00');
INSERT INTO "files" VALUES('{ROOT}/gone.talk','8d4e2b653bb4d3452bb41d1377c14cbc63ebc21967f4f6fa245cb6e4efc262e0','2026-12-06T13:40:58.697+00:00');
INSERT INTO "files" VALUES('{ROOT}/kept.talk','e08497154a4defc4b7582175520fd0c9175ddaf85a9c752c32a874d20391d46d','2026-12-06T13:40:58.703+00:00');
CREATE TABLE inputs (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,
    status TEXT NOT NULL CHECK (status IN ('converted', 'failed')),
    error TEXT,
    conversations INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);
INSERT INTO "inputs" VALUES('{ROOT}/call.talk','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','test-talk','converted',NULL,1,'2026-12-06T13:40:58.683+00:00','2026-12-06T13:40:58.857+00:00');
INSERT INTO "inputs" VALUES('{ROOT}/gone.talk','8d4e2b653bb4d3452bb41d1377c14cbc63ebc21967f4f6fa245cb6e4efc262e0','test-talk','converted',NULL,1,'2026-12-06T13:40:58.697+00:00','2026-12-06T13:40:58.697+00:00');
INSERT INTO "inputs" VALUES('{ROOT}/kept.talk','e08497154a4defc4b7582175520fd0c9175ddaf85a9c752c32a874d20391d46d','test-talk','converted',NULL,1,'2026-12-06T13:40:58.703+00:00','2026-12-06T13:40:58.703+00:00');
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','2');
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    note TEXT
);
INSERT INTO "runs" VALUES(1,'import','2026-12-06T13:40:58.651+00:00','2026-12-06T13:40:58.761+00:00','3 created, 0 deleted');
INSERT INTO "runs" VALUES(2,'delete','2026-12-06T13:40:58.776+00:00','2026-12-06T13:40:58.837+00:00','0 created, 1 deleted');
INSERT INTO "runs" VALUES(3,'import','2026-12-06T13:40:58.844+00:00','2026-12-06T13:40:58.914+00:00','1 created, 1 deleted');
CREATE TABLE watched (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    version TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX conversations_status ON conversations (status);
CREATE INDEX conversations_sha ON conversations (input_sha256);
CREATE INDEX conversations_version ON conversations (version);
CREATE INDEX conversations_replaced_by ON conversations (replaced_by);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('runs',3);
COMMIT;
