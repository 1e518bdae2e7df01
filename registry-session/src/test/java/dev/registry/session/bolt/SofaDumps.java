package dev.registry.session.bolt;

import java.io.ByteArrayOutputStream;

/**
 * Byte dumps from ../shared/SOFA-CLIENT-PROTOCOL.md §6.3, produced by bolt 1.6.2's
 * HessianSerializer with the 6.5.6 model classes (the spec's spaces and line breaks removed).
 * Printable bytes are text, others {@code \xNN}.
 */
final class SofaDumps {
    private SofaDumps() {
    }

    static final String REGISTER_RESPONSE =
            "O\\xc84com.alipay.sofa.registry.core.model.RegisterResponse\\x95\\x07success\\x08registId\\x07version"
            + "\\x07refused\\x07messageo\\x90T\\x05rid-1\\xe1F\\x02ok";

    static final String PUBLISHER_REGISTER =
            "O\\xc85com.alipay.sofa.registry.core.model.PublisherRegister\\xa0\\x0ainstanceId\\x04zone\\x07appName"
            + "\\x06dataId\\x05group\\x09processId\\x08registId\\x08clientId\\x0adataInfoId\\x02ip\\x04port"
            + "\\x09eventType\\x07version\\x09timestamp\\x08dataList\\x0aattributeso\\x90N\\x0cDEFAULT_ZONEN"
            + "\\x0fcom.example.Svc\\x0dDEFAULT_GROUPN\\x05rid-1NNNN\\x08REGISTER\\xe1L\\x00\\x00\\x01\\x8b\\xcf\\xe5h\\x00"
            + "Vn\\x01O\\xbbcom.alipay.sofa.registry.core.model.DataBox\\x91\\x04datao\\x91\\x0e10.0.0.1:12200zMz";

    static final String RECEIVED_DATA =
            "O\\xc80com.alipay.sofa.registry.core.model.ReceivedData\\x9a\\x06dataId\\x05group\\x0ainstanceId"
            + "\\x07segment\\x05scope\\x07version\\x09localZone\\x13subscriberRegistIds\\x04data\\x09dataCounto\\x90"
            + "\\x0fcom.example.Svc\\x0dDEFAULT_GROUP\\x13DEFAULT_INSTANCE_ID\\x11DefaultDataCenter\\x04zone"
            + "L\\x00\\x00\\x01\\x8b\\xcf\\xe5h\\x01\\x0cDEFAULT_ZONEVn\\x01\\x05sid-1zM\\x0cDEFAULT_ZONEVn\\x01"
            + "O\\xbbcom.alipay.sofa.registry.core.model.DataBox\\x91\\x04datao\\x91\\x0e10.0.0.1:12200zzMz";

    static final String RESULT = "O\\xbacom.alipay.sofa.registry.core.model.Result\\x92\\x07success\\x07messageo\\x90TN";

    static final String SYNC_CONFIG_RESPONSE =
            "O\\xc86com.alipay.sofa.registry.core.model.SyncConfigResponse\\x94\\x0dretryInterval\\x07success"
            + "\\x07message\\x11availableSegmentso\\x90\\x90TNVn\\x01\\x11DefaultDataCenterz";

    /** The dump notation to bytes. */
    static byte[] bytes(String dump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < dump.length(); i++) {
            char c = dump.charAt(i);
            if (c == '\\' && i + 3 < dump.length() && dump.charAt(i + 1) == 'x') {
                out.write(Integer.parseInt(dump.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    /** Bytes in the dump notation, for readable assertion messages. */
    static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int v = b & 0xff;
            s.append(v >= 0x20 && v < 0x7f && v != '\\' ? String.valueOf((char) v) : String.format("\\x%02x", v));
        }
        return s.toString();
    }
}
