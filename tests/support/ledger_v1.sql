-- A ledger written by omi-import 0.1.0 (schema 1; main a75dd4f), dumped with sqlite3's iterdump.
-- Made by importing, with that code, against tests/fake_omi.py from a folder holding (tests/fake_adapters.py)
-- call.talk = talk_file(6, tag='call'), long.talk = talk_file(1100, tag='L') (3 conversations),
-- chat.chatlog (done), late.chatlog (uncertain: a 504 after storing) and cut.talk = talk_file(4, tag='cut')
-- (left 'sending', as a killed run leaves it). tests/test_ledger_migration.py rebuilds those files.
BEGIN TRANSACTION;
CREATE TABLE conversations (
    key TEXT PRIMARY KEY,
    input_sha256 TEXT NOT NULL,
    input_path TEXT NOT NULL,
    idx INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'sending', 'done', 'failed', 'uncertain')),
    conversation_id TEXT,
    server_status TEXT,
    discarded INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    body TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    done_at TEXT
);
INSERT INTO "conversations" VALUES('omi-import-3140d1bb7cb008c466c8073e13284ba5eb1d03e0-000','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','call.talk',0,'/v1/dev/user/conversations/from-segments','done','c3969038b5ca45b399265b38c4076d92','completed',0,1,NULL,NULL,'2026-12-01T10:45:35.264+00:00','2026-12-01T10:45:35.313+00:00','2026-12-01T10:45:35.307+00:00','2026-12-01T10:45:35.313+00:00');
INSERT INTO "conversations" VALUES('omi-import-17e0a8681e1e7bf6a6262f1d4ed4f704edda9db3-000','19856889e5b4c7dca11b7bfe2d1e61b992c9646c593f5aee22c4c6cc4c3955ad','long.talk',0,'/v1/dev/user/conversations/from-segments','done','1158f815b1c147a48265df73deb7d78b','completed',0,1,NULL,NULL,'2026-12-01T10:45:35.272+00:00','2026-12-01T10:45:35.318+00:00','2026-12-01T10:45:35.314+00:00','2026-12-01T10:45:35.318+00:00');
INSERT INTO "conversations" VALUES('omi-import-17e0a8681e1e7bf6a6262f1d4ed4f704edda9db3-001','19856889e5b4c7dca11b7bfe2d1e61b992c9646c593f5aee22c4c6cc4c3955ad','long.talk',1,'/v1/dev/user/conversations/from-segments','done','685498e60de140b99cadf9a92a5295a7','completed',0,1,NULL,NULL,'2026-12-01T10:45:35.272+00:00','2026-12-01T10:45:35.320+00:00','2026-12-01T10:45:35.316+00:00','2026-12-01T10:45:35.320+00:00');
INSERT INTO "conversations" VALUES('omi-import-17e0a8681e1e7bf6a6262f1d4ed4f704edda9db3-002','19856889e5b4c7dca11b7bfe2d1e61b992c9646c593f5aee22c4c6cc4c3955ad','long.talk',2,'/v1/dev/user/conversations/from-segments','done','4a5a925872114fdc93427fa98c6b4413','completed',0,1,NULL,NULL,'2026-12-01T10:45:35.272+00:00','2026-12-01T10:45:35.326+00:00','2026-12-01T10:45:35.317+00:00','2026-12-01T10:45:35.326+00:00');
INSERT INTO "conversations" VALUES('omi-import-6fad16e6a18eecc8c1d572ab446031bd430e53da-000','142edc418f00b655c6d7e98b185f3e5f397e7d7a9ab8c3f958c6b54468f2d903','chat.chatlog',0,'/v1/dev/user/conversations','done','94bda769072545209d073b06efda4921','completed',0,1,NULL,NULL,'2026-12-01T10:45:35.273+00:00','2026-12-01T10:45:35.327+00:00','2026-12-01T10:45:35.320+00:00','2026-12-01T10:45:35.327+00:00');
INSERT INTO "conversations" VALUES('omi-import-9f3e5d9618e2053e9080647c73e903cdc90e3773-000','224d560ffd4029fcd7927448f78332b2f5252d7b2e321418ae63d0d5d73977fa','late.chatlog',0,'/v1/dev/user/conversations','uncertain',NULL,NULL,NULL,1,'Omi answered 504 (no detail) after the text was sent; it may or may not be in Omi',NULL,'2026-12-01T10:45:35.329+00:00','2026-12-01T10:45:35.355+00:00','2026-12-01T10:45:35.352+00:00',NULL);
INSERT INTO "conversations" VALUES('omi-import-a08f8a04abd657d69615ce5f289187f13fe61182-000','910a90cc553d8c698c2e3d7600ac21148b7d93fe4c992fe50688dfb025bf6985','cut.talk',0,'/v1/dev/user/conversations/from-segments','sending',NULL,NULL,NULL,1,NULL,NULL,'2026-12-01T10:45:35.356+00:00','2026-12-01T10:45:35.356+00:00','2026-12-01T10:45:35.356+00:00',NULL);
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
INSERT INTO "inputs" VALUES('call.talk','bedd9bc4b27136e9b06c68d142e8a7d77c3c53641b366da4b502f85eba2df354','test-talk','converted',NULL,1,'2026-12-01T10:45:35.263+00:00','2026-12-01T10:45:35.263+00:00');
INSERT INTO "inputs" VALUES('long.talk','19856889e5b4c7dca11b7bfe2d1e61b992c9646c593f5aee22c4c6cc4c3955ad','test-talk','converted',NULL,3,'2026-12-01T10:45:35.272+00:00','2026-12-01T10:45:35.272+00:00');
INSERT INTO "inputs" VALUES('chat.chatlog','142edc418f00b655c6d7e98b185f3e5f397e7d7a9ab8c3f958c6b54468f2d903','test-chat','converted',NULL,1,'2026-12-01T10:45:35.273+00:00','2026-12-01T10:45:35.273+00:00');
INSERT INTO "inputs" VALUES('late.chatlog','224d560ffd4029fcd7927448f78332b2f5252d7b2e321418ae63d0d5d73977fa','test-chat','converted',NULL,1,'2026-12-01T10:45:35.329+00:00','2026-12-01T10:45:35.329+00:00');
INSERT INTO "inputs" VALUES('cut.talk','910a90cc553d8c698c2e3d7600ac21148b7d93fe4c992fe50688dfb025bf6985','test-talk','converted',NULL,1,'2026-12-01T10:45:35.356+00:00','2026-12-01T10:45:35.356+00:00');
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE INDEX conversations_status ON conversations (status);
COMMIT;
